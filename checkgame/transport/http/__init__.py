"""The REST API under /api/v1, health checks and the OpenAPI document."""
