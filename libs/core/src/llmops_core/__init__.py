"""Code every llmops service needs: settings, Kafka, gRPC, Postgres and telemetry plumbing."""
