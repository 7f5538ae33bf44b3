"""A database per test behind a real PgBouncer in transaction pooling mode.

PgBouncer does not pass ``search_path``, so the per-test schemas of :mod:`pg_schemas` cannot be
used through it (the store refuses ``schema`` with ``pooler=pgbouncer``): each test gets a
database of its own on a throwaway cluster instead, which is thrown away whole at the end.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from checkgame.drill.pg import PgCluster, make_workdir
from tests.support.pgbouncer import PgBouncer, require_pgbouncer

_bouncer: PgBouncer | None = None
_created: set[str] = set()


@contextmanager
def running() -> Iterator[PgBouncer]:
    """The cluster and its PgBouncer, for the duration of the block."""
    global _bouncer
    require_pgbouncer()
    root = make_workdir("checkgame-pgbouncer-")
    cluster = PgCluster(root / "primary").init().start()
    bouncer = PgBouncer(cluster, root)
    try:
        _bouncer = bouncer.start()
        yield bouncer
    finally:
        _bouncer = None
        _created.clear()
        bouncer.stop()
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def database_url(tmp_path: Path) -> str:
    """The URL through PgBouncer of this test's own database (created on first use)."""
    assert _bouncer is not None, "use the pgbouncer_backend fixture"
    name = "ct_" + hashlib.blake2b(str(tmp_path).encode(), digest_size=6).hexdigest()
    if name not in _created:
        _bouncer.backend.psql(f'CREATE DATABASE "{name}"')
        _created.add(name)
    return _bouncer.url(name)
