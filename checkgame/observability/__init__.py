"""What operators see of a node: Prometheus metrics and structured logs."""
