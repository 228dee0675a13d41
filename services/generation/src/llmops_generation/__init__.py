"""llmops generation service: Prompt registry, semantic cache, model routes, prices; Generate over OpenAI-compatible APIs."""
