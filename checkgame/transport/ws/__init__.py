"""The WebSocket game protocol: a pure codec and the Quart endpoint."""
