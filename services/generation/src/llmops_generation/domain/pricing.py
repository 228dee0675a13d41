"""Cost of a call from token usage, in USD, from a per-model price table.

Prices are per million tokens (input, output). Self-hosted models cost nothing per token here;
their cost is the hardware, which telemetry attributes separately.
"""

from __future__ import annotations

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "smollm2-135m-instruct": (0.0, 0.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
}


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    input_price, output_price = PRICES_PER_MILLION.get(model, (0.0, 0.0))
    return (input_tokens * input_price + output_tokens * output_price) / 1_000_000
