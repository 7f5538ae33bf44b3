"""Hypothesis property tests over random games."""
