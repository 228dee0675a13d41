"""Evaluation logic: groundedness of answers and drift of the scores."""
