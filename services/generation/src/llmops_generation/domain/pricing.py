"""Cost of a call from token usage, in USD, from the prices of its model route (routes.yaml).

Prices are per million tokens. Cached input tokens are the part of the input the endpoint served
from its prompt cache (OpenAI reports them inside prompt_tokens); they are charged at their own
price instead of the input price. Self-hosted routes cost nothing per token here; their cost is
the hardware, which telemetry attributes separately.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenPrices:
    input_per_million: float = 0.0
    output_per_million: float = 0.0
    cached_input_per_million: float = 0.0

    def cost_usd(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        cached = min(cached_input_tokens, input_tokens)
        return (
            (input_tokens - cached) * self.input_per_million
            + cached * self.cached_input_per_million
            + output_tokens * self.output_per_million
        ) / 1_000_000


FREE = TokenPrices()
