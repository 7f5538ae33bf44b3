"""Computer players: the move-choosing strategy, and (later) network clients that use it."""
