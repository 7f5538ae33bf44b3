"""Hypothesis state-machine tests: the engine against a small reference model."""
