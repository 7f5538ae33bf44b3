"""HTTP and WebSocket: the only layer that knows Quart."""
