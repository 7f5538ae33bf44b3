"""Helpers shared by the tests: position builder, reference model, table harness, strategies."""
