"""PostgreSQL's copy of the numbered schema migrations (``NNNN_name.sql``), with native types.

The same versions as :mod:`checkgame.store.migrations`, kept in lockstep (a test checks it):
version N means the same tables and columns on both backends, only the column types differ.
Read by :func:`checkgame.store.migrate.load_migrations` and applied by
:mod:`checkgame.store._pg_conn`.
"""
