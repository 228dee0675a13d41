"""Fakes of the generation ports: a tokenizer with an obvious rule and a chat model that records its prompts."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence

from llmops_core.errors import FailedPrecondition
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.domain.completions import Completion
from llmops_generation.domain.prompts import Activation, ActivationChange, PromptTemplate
from llmops_generation.domain.tokens import TokenCounts
from llmops_generation.prompt_registry import PromptRegistry

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


class MemoryPromptStore:
    """The PromptStore port in memory, with the Postgres store's rules (immutable versions, history)."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], PromptTemplate] = {}
        self.history: dict[str, list[tuple[str, Activation, bool]]] = {}  # (id, activation, rolled back)

    async def load(self, templates: Sequence[PromptTemplate]) -> list[PromptTemplate]:
        added = []
        for t in templates:
            stored = self.versions.get((t.name, t.version))
            if stored is not None and stored.content_sha256 != t.content_sha256:
                raise FailedPrecondition(f"prompt {t.name} v{t.version} differs from the version registered before")
            if stored is None:
                self.versions[(t.name, t.version)] = t
                added.append(t)
        for name in {t.name for t in templates} - set(self.history):
            latest = max(t.version for t in templates if t.name == name)
            await self.activate(Activation(name, ((latest, 1.0),)), "loader")
        return added

    async def templates(self) -> list[PromptTemplate]:
        return [self.versions[key] for key in sorted(self.versions)]

    def _live(self, name: str) -> list[tuple[str, Activation, bool]]:
        return [row for row in self.history.get(name, []) if not row[2]]

    async def active(self, name: str) -> Activation | None:
        live = self._live(name)
        return live[-1][1] if live else None

    async def activate(self, activation: Activation, actor: str) -> ActivationChange:
        previous = await self.active(activation.name)
        activation_id = str(uuid.uuid4())
        self.history.setdefault(activation.name, []).append((activation_id, activation, False))
        return ActivationChange(activation_id, activation, previous, actor, rollback=False)

    async def rollback(self, name: str, actor: str) -> ActivationChange:
        live = self._live(name)
        if len(live) < 2:
            raise FailedPrecondition(f"prompt {name!r} has no earlier activation to roll back to")
        rows = self.history[name]
        rows[rows.index(live[-1])] = (live[-1][0], live[-1][1], True)
        return ActivationChange(live[-2][0], live[-2][1], live[-1][1], actor, rollback=True)


class RecordingPublisher:
    def __init__(self) -> None:
        self.changes: list[ActivationChange] = []

    async def publish(self, change: ActivationChange) -> None:
        self.changes.append(change)


async def packaged_registry(publisher: RecordingPublisher | None = None) -> PromptRegistry:
    registry = PromptRegistry(MemoryPromptStore(), publisher or RecordingPublisher(), active_ttl_seconds=0)
    await registry.load(load_prompt_files())
    return registry
