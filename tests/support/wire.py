"""Typed protocol values as a client reads them: the JSON the server would send, decoded again."""

from __future__ import annotations

from typing import Any

import msgspec


def wire(value: object) -> Any:
    """``value`` (a protocol Struct, or a dict of them) encoded to JSON and decoded to plain dicts and lists."""
    return msgspec.json.decode(msgspec.json.encode(value))
