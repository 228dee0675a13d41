"""Stand-ins for the services the query pipeline calls, shared by its unit and fuzz tests."""

from __future__ import annotations

from llmops_core.errors import Unavailable
from llmops_grounding import SupportPolicy as ClaimPolicy
from llmops_guardrails.domain.pii import find_pii, redact
from llmops_query.domain.answer_ids import AnswerIds
from llmops_query.domain.answers import Generated, Guardrails, GuardVerdict, Passage
from llmops_query.domain.support import SupportPolicy
from llmops_query.use_cases import AskPipeline
from tests.unit.grounding.fakes import WordOverlapEmbedder

RETURNS = "Items can be returned within 30 days of delivery. Refunds go to the original card."
SHIPPING = "Standard shipping takes 3 to 5 business days. Express shipping costs $25."
SUPPORT = SupportPolicy("test-model", min_similarity=0.5, min_coverage=0.6)
SECRET = "unit-test-service-secret-of-32-chars+"


class Guard:
    """Scripted verdicts: blocks "ignore", redacts one known e-mail in and one known phone out."""

    async def check_input(self, tenant_id: str, text: str, corpus_similarity: float | None = None) -> GuardVerdict:
        if "ignore" in text:
            return GuardVerdict(True, "The question asks the assistant to ignore its instructions.", text)
        return GuardVerdict(False, "", text.replace("bob@example.com", "[EMAIL]"))

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict:
        return GuardVerdict(False, "", text.replace("555-0100", "[PHONE]"))


class PiiRedactor:
    """The guardrails service's own personal-data detectors, called in process instead of over gRPC."""

    async def check_input(self, tenant_id: str, text: str, corpus_similarity: float | None = None) -> GuardVerdict:
        return GuardVerdict(False, "", redact(text, find_pii(text)))

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict:
        return GuardVerdict(False, "", redact(text, find_pii(text)))


class Retriever:
    def __init__(self, similarity: float, texts: tuple[str, ...] = (RETURNS, SHIPPING)) -> None:
        self.similarity = similarity
        self.texts = texts
        self.queries: list[str] = []

    async def search(self, tenant_id: str, query: str, top_k: int) -> list[Passage]:
        self.queries.append(query)
        return [
            Passage(f"c{i + 1}", f"doc{i + 1}.md", f"Doc {i + 1}", f"file:///{i + 1}", text, 0.03 - i / 100,
                    self.similarity - i / 10)
            for i, text in enumerate(self.texts)
        ]  # fmt: skip


class Model:
    def __init__(self, text: str, name: str = "small", down: bool = False) -> None:
        self.text, self.name, self.calls, self.down = text, name, 0, down

    async def generate(self, tenant_id: str, question: str, passages: list[Passage], session_id: str = "") -> Generated:
        self.calls += 1
        if self.down:
            raise Unavailable(f"{self.name} is down")
        return Generated(self.text, self.name, "p", "rag-answer", 1, 50, 5, 0.0)


def pipeline(retriever: Retriever, *routes: Model, guard: Guardrails | None = None) -> AskPipeline:
    return AskPipeline(
        guard or Guard(), retriever, list(routes), WordOverlapEmbedder(), SUPPORT, AnswerIds(SECRET), ClaimPolicy(0.55)
    )
