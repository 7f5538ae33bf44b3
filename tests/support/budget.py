"""Example counts for property tests, scaled by the Hypothesis profile (see ``tests/conftest.py``)."""

from __future__ import annotations

import os

from hypothesis import settings

_SCALE = {"ci": 1.0, "dev": 3.0, "thorough": 30.0}


def examples(n: int) -> settings:
    """Settings running ``n`` examples under the ``ci`` profile, more under ``dev`` and ``thorough``."""
    scale = _SCALE.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1.0)
    return settings(max_examples=max(1, round(n * scale)))
