"""What a chat model returns, and the port the Generate use case calls it through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    finish_reason: str
    usage_estimated: bool = False
    # Of input_tokens, those served from the endpoint's prompt cache (0 where it reports none).
    cached_input_tokens: int = 0


class ChatModel(Protocol):
    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion: ...

    def stream(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> AsyncIterator[str | Completion]:
        """Yields text deltas, then one Completion with the whole text and usage."""
        ...
