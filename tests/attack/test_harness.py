"""The attack suite's own baseline: an unattacked node passes the survival check (so a failure means the attack)."""

from __future__ import annotations

import pytest

from tests.attack.harness import Target

pytestmark = pytest.mark.slow


def test_an_unattacked_node_survives(target: Target) -> None:
    target.assert_survived()
    assert target.stop() == 0
