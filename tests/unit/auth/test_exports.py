"""The public names of checkgame.auth: __all__ is exact and every name resolves (httpx, trio)."""

from __future__ import annotations

import types

import pytest

import checkgame.auth
from checkgame import ratelimit
from checkgame.auth import passwords, tokens


@pytest.mark.parametrize("module", [checkgame.auth, tokens, passwords, ratelimit])
def test_all_names_exist(module: types.ModuleType) -> None:
    for name in module.__all__:
        assert hasattr(module, name), name


def test_package_exports_every_public_name_it_imports() -> None:
    public = {
        name
        for name, value in vars(checkgame.auth).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert public == set(checkgame.auth.__all__)


@pytest.mark.parametrize("module", [tokens, passwords])
def test_package_reexports_each_module(module: types.ModuleType) -> None:
    missing = {name for name in module.__all__ if not hasattr(checkgame.auth, name)}
    # Constants meant for configuration stay in their module; everything else is re-exported.
    assert missing <= {"ALGORITHM", "DEFAULT_ISSUER", "MIN_SECRET_BYTES"}
