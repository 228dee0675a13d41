"""llmops generation service: prompt registry, semantic cache, model routes, prices.

Generate calls any OpenAI-compatible endpoint.
"""
