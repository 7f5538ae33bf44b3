"""The Check-Game test suite (a package so that mypy sees unique module names)."""
