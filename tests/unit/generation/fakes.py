"""Fakes of the generation ports: a tokenizer with an obvious rule and a chat model that records its prompts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

from llmops_generation.domain.completions import Completion
from llmops_generation.domain.tokens import TokenCounts

# One token a word, punctuation mark or CJK character: easy to reason about, shaped like a real tokenizer.
TOKEN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]|\w+|[^\w\s]")


def word_tokens(text: str) -> int:
    return len(TOKEN.findall(text))


class WordCounter:
    def __init__(self) -> None:
        self.calls: list[int] = []  # texts per count() call

    async def count(self, texts: Sequence[str]) -> TokenCounts:
        self.calls.append(len(texts))
        return TokenCounts(tuple(word_tokens(t) for t in texts), estimated=False)


class RecordingModel:
    """Answers "30 days"; reports usage like the llama.cpp server (none for the prompt when streaming)."""

    def __init__(self) -> None:
        self.prompts: list[list[dict[str, str]]] = []

    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion:
        self.prompts.append(messages)
        return Completion("30 days", sum(word_tokens(m["content"]) for m in messages), 2, "stop")

    async def stream(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> AsyncIterator[str | Completion]:
        self.prompts.append(messages)
        for token in ("30", " days"):
            yield token
        yield Completion("30 days", 0, 2, "stop", usage_estimated=True)
