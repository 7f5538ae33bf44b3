"""Test configuration: Hypothesis profiles.

- ``ci`` (the default): derandomized, so every run — CI included — tries the same examples; no example
  database; no deadline (timings on shared CI machines are not the engine's business).
- ``dev``: random examples, remembered in ``.hypothesis/``, three times as many.
- ``thorough``: random examples, thirty times as many, for a long hunt.

Choose one with ``HYPOTHESIS_PROFILE=dev python -m pytest``. Each property test states its example
count for the ``ci`` profile with :func:`tests.support.budget.examples`, which scales it per profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_IS_FINE = [HealthCheck.too_slow]

settings.register_profile("ci", derandomize=True, database=None, deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("dev", deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("thorough", deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
