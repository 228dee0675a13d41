"""What an answer is made of, and the small protocols the Ask use cases depend on: no gRPC, no Kafka."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant, require_text


class Status(Enum):
    ANSWERED = "answered"
    ABSTAINED = "abstained"
    REFUSED = "refused"


class Outcome(Enum):
    """How the final answer came about (AnswerOutcome in the contract)."""

    VERIFIED = "verified"
    FALLBACK = "fallback"
    EXTRACTIVE = "extractive"
    ABSTAINED = "abstained"
    REFUSED = "refused"


@dataclass(frozen=True)
class GuardVerdict:
    blocked: bool
    reason: str
    text: str  # redacted where personal data was found
    # Blocked only because the question looks out of the tenant's scope: closeness to the corpus,
    # known after retrieval, can still bring it in.
    scope_only: bool = False


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    document_id: str
    title: str
    source_uri: str
    text: str
    score: float
    similarity: float


@dataclass(frozen=True)
class Generated:
    text: str
    model: str
    provider: str
    prompt_name: str
    prompt_version: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class Citation:
    passage: Passage
    snippet: str  # the supporting sentence with its neighbours
    similarity: float  # 0-1, how closely that sentence supports the answer


@dataclass
class Answer:
    answer_id: str
    tenant_id: str
    session_id: str
    question: str  # redacted
    status: Status
    text: str
    reason: str
    outcome: Outcome = Outcome.VERIFIED
    outcome_reason: str = ""
    passages: list[Passage] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    generated: Generated | None = None
    latencies_ms: dict[str, float] = field(default_factory=dict)
    # The model route whose draft was kept; empty for an extractive answer or no answer.
    route: str = ""
    # Set when the answer came from the semantic cache: the cached question's cosine to this one.
    cache_similarity: float | None = None
    # Every draft written for this answer, kept or not: its tokens and cost were spent either way.
    drafts: list[Generated] = field(default_factory=list)

    def spent(self) -> tuple[int, int, float]:
        """Input tokens, output tokens and cost of every draft (a cache hit spent none)."""
        return (
            sum(d.input_tokens for d in self.drafts),
            sum(d.output_tokens for d in self.drafts),
            sum(d.cost_usd for d in self.drafts),
        )

    def refuse(self, reason: str) -> None:
        self.status, self.outcome, self.reason = Status.REFUSED, Outcome.REFUSED, reason
        self.outcome_reason = reason
        self.text = f"I can't help with that: {reason}"

    def abstain(self, reason: str, question: str) -> None:
        self.status, self.outcome, self.reason, self.outcome_reason = (
            Status.ABSTAINED,
            Outcome.ABSTAINED,
            reason,
            reason,
        )
        self.text = abstention(question)
        self.citations = []


class Guardrails(Protocol):
    async def check_input(self, tenant_id: str, text: str, corpus_similarity: float | None = None) -> GuardVerdict: ...

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict: ...


class Retriever(Protocol):
    async def search(self, tenant_id: str, query: str, top_k: int) -> list[Passage]: ...


class Generator(Protocol):
    """One model route: the generation service behind one address."""

    async def generate(
        self, tenant_id: str, question: str, passages: list[Passage], session_id: str = ""
    ) -> Generated: ...


class Embedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class AskRequest:
    tenant_id: str
    question: str
    top_k: int
    session_id: str


def ask_request(tenant_id: str, question: str, top_k: int, session_id: str, default_top_k: int) -> AskRequest:
    require_tenant(tenant_id)
    text = require_text("question", question, max_chars=4000)
    if top_k > 20:
        raise InvalidArgument(f"top_k is {top_k}; the most is 20")
    if len(session_id) > 128:
        raise InvalidArgument("session_id is longer than 128 characters")
    return AskRequest(tenant_id, text, top_k or default_top_k, session_id)


# Placeholders the guardrails service puts where personal data was: noise for retrieval.
# The guardrails service's placeholders (llmops_guardrails.domain.pii.PLACEHOLDERS).
REDACTION = re.compile(r"\[(?:EMAIL|PHONE|CARD|IBAN|NATIONAL_ID|IP_ADDRESS|API_KEY)\][,:;]?")


def search_text(redacted_question: str) -> str:
    return " ".join(REDACTION.sub(" ", redacted_question).split())


def is_chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= max(2, len(text) // 5)


def abstention(question: str) -> str:
    if is_chinese(question):
        return "抱歉，我在知識庫中找不到這個問題的答案。請聯絡客服人員。"
    return "I'm sorry, I don't know: our knowledge base does not cover this question. Please contact our support team."


class Stopwatch:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    def timed(self, stage: str) -> Callable[[], None]:
        started = time.perf_counter()

        def stop() -> None:
            self.stages[stage] = (time.perf_counter() - started) * 1000

        return stop
