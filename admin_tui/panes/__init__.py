"""The dashboard's tabs. Each shows one part of the server and knows how to reload it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.containers import Vertical

if TYPE_CHECKING:
    from admin_tui.app import AdminApp

__all__ = ["Pane"]


class Pane(Vertical):
    """A tab's content; the dashboard calls :meth:`reload` while the tab is shown."""

    @property
    def admin(self) -> AdminApp:
        return cast("AdminApp", self.app)

    async def reload(self) -> None:
        """Fetch what the pane shows again (the default: nothing to fetch, it follows the live feed)."""
