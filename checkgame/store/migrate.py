"""Find the numbered schema migrations shipped in :mod:`checkgame.store.migrations`.

Backend-agnostic on purpose: SQLite runs these files today and a PostgreSQL backend can
run the same ones later, so this module only *reads* them; each backend applies them with
its own driver, one file per transaction, recording ``version`` in ``schema_migrations``.

File names are ``NNNN_description.sql``; the number is the version. Versions must be
unique and positive; gaps are allowed (a retracted migration keeps its number unused).
Files must not contain transaction control (``BEGIN``/``COMMIT``): the runner owns it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

__all__ = ["MIGRATIONS_PACKAGE", "Migration", "load_migrations", "pending_versions"]

MIGRATIONS_PACKAGE = "checkgame.store.migrations"
"""Where the SQL files live, as an importable package name."""

_FILE_NAME = re.compile(r"^(?P<version>\d{4,})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step."""

    version: int
    """Strictly increasing across files; stored in ``schema_migrations.version``."""
    name: str
    """The description part of the file name, for logs."""
    sql: str
    """One or more statements separated by semicolons."""


def load_migrations(package: str = MIGRATIONS_PACKAGE) -> list[Migration]:
    """Read every migration file of ``package``, ordered by version.

    Files that do not look like ``NNNN_name.sql`` are ignored (``__init__.py``, caches),
    so a typo in a name shows up as a missing migration in tests, not at runtime.

    Args:
        package: importable package holding the files; tests pass their own.

    Returns:
        The migrations in ascending version order.

    Raises:
        ValueError: two files carry the same version, or a version is 0.
    """
    found: dict[int, Migration] = {}
    for entry in resources.files(package).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None or not entry.is_file():
            continue
        version = int(match["version"])
        if version == 0:
            raise ValueError(f"migration {entry.name}: versions start at 1")
        if version in found:
            raise ValueError(f"migration version {version} appears twice ({found[version].name}, {match['name']})")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def pending_versions(migrations: Iterable[Migration], applied: Iterable[int]) -> list[int]:
    """Versions of ``migrations`` not in ``applied``, ascending.

    Versions recorded in the database but unknown to this build (a newer build ran) are
    not an error here; a backend may refuse to start on them if it wants to.
    """
    done = set(applied)
    return sorted(m.version for m in migrations if m.version not in done)
