"""llmops telemetry service: Aggregates every topic for dashboards: /metrics and a query API."""
