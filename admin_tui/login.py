"""A logged-in admin: the client holding the tokens and what the account may do."""

from __future__ import annotations

from dataclasses import dataclass

from admin_tui.client import AdminClient

__all__ = ["ADMIN_ROLES", "Login"]

ADMIN_ROLES = frozenset({"admin", "admin_readonly"})


@dataclass(frozen=True, slots=True)
class Login:
    client: AdminClient
    username: str
    role: str

    @property
    def read_only(self) -> bool:
        """An ``admin_readonly`` account: it may look, the server refuses its actions (403 READ_ONLY)."""
        return self.role != "admin"
