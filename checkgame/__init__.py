"""Check-Game: a real-time server for the Cameroonian card game Check."""

__version__ = "0.1.0"
