"""llmops evaluation service: Scores answers, runs suites, monitors drift; publishes answers.scored and drift.alerts."""
