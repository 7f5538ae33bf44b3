"""The transport reaches live state only through the session service (issue 2/7: one way into live state)."""

from __future__ import annotations

import ast
from pathlib import Path

import checkgame.transport

TRANSPORT = Path(checkgame.transport.__file__).parent


def test_no_transport_module_touches_the_live_store() -> None:
    reaches = [
        f"{path.relative_to(TRANSPORT.parent)}:{node.lineno}"
        for path in sorted(TRANSPORT.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "live"
    ]
    assert reaches == [], "use SessionService (services.sessions) instead of its live store"
