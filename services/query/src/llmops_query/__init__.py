"""llmops query service: Front door: Ask, AskStream, SubmitFeedback; publishes answers and feedback."""
