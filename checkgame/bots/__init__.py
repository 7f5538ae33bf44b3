"""Computer players: the pure move-choosing strategy, the pure table tracker, and the network client."""
