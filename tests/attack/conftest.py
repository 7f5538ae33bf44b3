"""Fixtures of the attack suite: a real node per test, checked to have survived whatever the test did to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.attack.harness import Target
from tests.cluster.conftest import cluster as cluster  # two nodes behind nginx, for the attacks that need them


@pytest.fixture
def target(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Target]:
    """An embedded node (SQLite, memory); ``@pytest.mark.parametrize("target", [{...}], indirect=True)`` sets env."""
    settings = request.param if isinstance(getattr(request, "param", None), dict) else {}
    node = Target(tmp_path / "node", settings=dict(settings))
    node.start()
    try:
        yield node
    finally:
        node.stop()
