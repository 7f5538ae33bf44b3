"""Example-based tests, one module per RULES.md section or per component."""
