"""The Ask pipeline as plain logic over small protocols: no gRPC, no Kafka in here."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant, require_text


class Status(Enum):
    ANSWERED = "answered"
    ABSTAINED = "abstained"
    REFUSED = "refused"


@dataclass(frozen=True)
class GuardVerdict:
    blocked: bool
    reason: str
    text: str  # redacted where personal data was found


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


@dataclass
class Answer:
    answer_id: str
    tenant_id: str
    session_id: str
    question: str  # redacted
    status: Status
    text: str
    reason: str
    passages: list[Passage] = field(default_factory=list)
    generated: Generated | None = None
    latencies_ms: dict[str, float] = field(default_factory=dict)


class Guardrails(Protocol):
    async def check_input(self, tenant_id: str, text: str) -> GuardVerdict: ...

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict: ...


class Retriever(Protocol):
    async def search(self, tenant_id: str, query: str, top_k: int) -> list[Passage]: ...


class Generator(Protocol):
    async def generate(self, tenant_id: str, question: str, passages: list[Passage]) -> Generated: ...

    def stream(self, tenant_id: str, question: str, passages: list[Passage]) -> AsyncIterator[str | Generated]: ...


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
REDACTION = re.compile(r"\[(?:EMAIL|PHONE|CARD|NATIONAL_ID)\][,:;]?")


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


@dataclass
class AskPipeline:
    guardrails: Guardrails
    retriever: Retriever
    generator: Generator
    abstain_below_similarity: float

    async def prepare(self, request: AskRequest, clock: Stopwatch) -> Answer:
        """Everything before generation; the answer is final unless its status is ANSWERED."""
        answer = Answer(
            str(uuid.uuid4()), request.tenant_id, request.session_id, request.question, Status.ANSWERED, "", ""
        )
        done = clock.timed("guardrails_in")
        verdict = await self.guardrails.check_input(request.tenant_id, request.question)
        done()
        answer.question = verdict.text
        if verdict.blocked:
            answer.status, answer.reason = Status.REFUSED, verdict.reason
            answer.text = f"I can't help with that: {verdict.reason}"
            return answer
        done = clock.timed("retrieval")
        answer.passages = await self.retriever.search(request.tenant_id, search_text(verdict.text), request.top_k)
        done()
        best = max((p.similarity for p in answer.passages), default=0.0)
        if best < self.abstain_below_similarity:
            answer.status = Status.ABSTAINED
            answer.reason = (
                f"The best passage matches the question at {best:.2f}, below {self.abstain_below_similarity}."
            )
            answer.text = abstention(request.question)
        return answer

    async def finish(self, answer: Answer, generated: Generated, clock: Stopwatch) -> Answer:
        answer.generated = generated
        done = clock.timed("guardrails_out")
        verdict = await self.guardrails.check_output(answer.tenant_id, generated.text, answer.question)
        done()
        answer.text = verdict.text
        answer.latencies_ms = dict(clock.stages)
        return answer

    async def ask(self, request: AskRequest) -> Answer:
        clock = Stopwatch()
        answer = await self.prepare(request, clock)
        if answer.status is not Status.ANSWERED:
            answer.latencies_ms = dict(clock.stages)
            return answer
        done = clock.timed("generation")
        generated = await self.generator.generate(answer.tenant_id, answer.question, answer.passages)
        done()
        return await self.finish(answer, generated, clock)
