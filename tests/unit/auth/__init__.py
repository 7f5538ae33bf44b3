"""Tests of checkgame.auth: tokens, passwords and the package's exports."""
