"""Numbered schema migrations (``NNNN_name.sql``), read with :mod:`importlib.resources`.

A package so that the SQL files ship inside the wheel and resolve the same way from a
source checkout, an installed wheel or a zip. See :mod:`checkgame.store.migrate`.
"""
