"""The strings people type, each checked once at the edge by one pattern, on every backend alike.

A name or a text that is stored or shown to others refuses the characters
that are not text: controls (C0, DEL, C1; a NUL is refused by PostgreSQL,
and a seat named with one could never be written) and the invisible format
characters that reorder or hide what is shown around them (bidi embeddings,
overrides and isolates, zero-width characters, the BOM, blank fillers). A
name also has no space at either end, so two names cannot differ only there.

Each rule is a regex, so the same declaration validates requests (msgspec)
and is published in the OpenAPI document. The dialects differ in one place:
Python's ``$`` also matches before a final newline, so msgspec gets ``\\Z``
and :func:`published` writes the ECMA ``$`` into the document; the character
classes are written code point by code point (no ``\\s``, whose meaning
differs too).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from msgspec import Meta

from checkgame.auth.strength import PASSWORD_RULE

__all__ = [
    "ID_PATTERN",
    "DisplayName",
    "Email",
    "JoinCode",
    "LoginName",
    "Password",
    "PlayerCount",
    "SessionName",
    "Text",
    "Username",
    "explain",
    "published",
]

INVISIBLE = (
    r"\x00-\x1f\x7f-\x9f"  # controls: C0 (NUL, tab, newline, \x1c-\x1f...), DEL, C1 (NEL \x85...)
    r"\xad\u061c\u180e"  # soft hyphen, Arabic letter mark, Mongolian vowel separator
    r"\u115f\u1160\u3164\uffa0"  # Hangul fillers: letters that show as nothing
    r"\u200b-\u200f"  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    r"\u2028-\u202e"  # line and paragraph separators; bidi embeddings and overrides
    r"\u2060-\u206f"  # word joiner, invisible operators, bidi isolates, deprecated format characters
    r"\ufeff\ufff9-\ufffb"  # byte order mark (zero-width no-break space), interlinear annotation
)
"""Code points refused in every name and text."""

SPACES = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
"""Visible spaces: allowed inside a name, not at its ends."""

ID_PATTERN = r"[0-9a-f]{32}(?:-[0-9]{1,9})?"
"""A session id (32 hex digits) or a game id (the session's id, ``-``, its number)."""

_RULES: dict[str, str] = {}
"""Each rule's pattern, as msgspec quotes it in an error, and what to say instead."""


def _rule(body: str, rule: str, **constraints: Any) -> Meta:
    """Constraints for a string matching ``body`` whole, with ``rule`` as its description and its 422 message."""
    pattern = f"^(?:{body})\\Z"
    _RULES[f"matching regex {pattern!r}"] = rule
    return Meta(pattern=pattern, description=rule, **constraints)


_NAME = f"[^{INVISIBLE}{SPACES}](?:[^{INVISIBLE}]*[^{INVISIBLE}{SPACES}])?"
_NAME_RULE = "without control or invisible formatting characters, nor a space at either end"

Username = Annotated[str, _rule("[A-Za-z0-9_.-]+", "letters A-Z, a-z, digits, _ . and -", min_length=3, max_length=32)]
Email = Annotated[
    str,
    _rule(
        f"[^@{INVISIBLE}{SPACES}]+@[^@{INVISIBLE}{SPACES}]+\\.[^@{INVISIBLE}{SPACES}]+",
        "an email address (one @, a dot in the domain, no spaces, control or invisible characters)",
        min_length=3,
        max_length=254,
    ),
]
LoginName = Annotated[str, _rule(_NAME, f"username or email, {_NAME_RULE}", min_length=1, max_length=254)]
DisplayName = Annotated[str, _rule(_NAME, f"a name {_NAME_RULE}", min_length=1, max_length=32)]
SessionName = Annotated[str, _rule(_NAME, f"a name {_NAME_RULE}", min_length=1, max_length=50)]
Text = Annotated[str, _rule(f"[^{INVISIBLE}]*", "text without control or invisible formatting characters")]
"""Free text shown to others (an administrator's notice or reason); bound its length where it is used."""
JoinCode = Annotated[str, _rule("[A-Za-z0-9]{6}", "6 letters or digits", min_length=6, max_length=6)]
PlayerCount = Annotated[int, Meta(ge=2, le=8)]
Password = Annotated[str, Meta(min_length=8, max_length=128, description=PASSWORD_RULE)]
"""The length is checked here, the strength by the endpoint (:func:`checkgame.auth.check_strength`): the
estimate needs the username and email, and time in a worker thread."""

_QUOTED_PATTERN = re.compile(r"matching regex '(?:[^'\\]|\\.)*'")


def explain(message: str) -> str:
    """A msgspec validation message with each rule's regex replaced by the rule in words."""
    return _QUOTED_PATTERN.sub(lambda m: _RULES.get(m.group(0), m.group(0)), message)


def published(schema: Any) -> Any:
    """``schema`` (a JSON Schema or a whole OpenAPI document) with each rule's ``\\Z`` written as ECMA's ``$``."""
    if isinstance(schema, dict):
        return {
            key: value[: -len("\\Z")] + "$" if key == "pattern" and value.endswith("\\Z") else published(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [published(item) for item in schema]
    return schema
