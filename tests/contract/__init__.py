"""Conformance suites run against every backend of an interface (STYLE.md §5, §8.7)."""
