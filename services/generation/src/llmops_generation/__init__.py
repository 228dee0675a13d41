"""llmops generation service: prompt registry (versions, A/B weights), model routes, prices.

Generate calls any OpenAI-compatible endpoint.
"""
