"""AskStream sends only text that has passed the output guardrail, sentence by sentence."""

from __future__ import annotations

import asyncio

from llmops_query.domain.answers import Answer, GuardVerdict, Outcome, Status, ask_request
from llmops_query.domain.deltas import sentence_deltas
from tests.unit.query.fakes import RETURNS, Model, PiiRedactor, Retriever, pipeline

CONTACT = "Returns are handled by our support desk. Write to help.desk@example.com or call +1 415-555-0172."
DRAFT = "Returns are handled by our support desk. Write to help.desk@example.com or call +1 415-555-0172. "
RAW = ("help.desk@example.com", "415-555-0172", "help.desk", "0172")


def stream(
    *routes: Model, guard: object = None, question: str = "How do I contact the support desk about returns?"
) -> tuple[list[str], Answer]:
    retriever = Retriever(0.8, (CONTACT, RETURNS))
    ask = pipeline(retriever, *routes, guard=guard or PiiRedactor())  # type: ignore[arg-type]

    async def collect() -> list[str | Answer]:
        return [item async for item in ask.ask_stream(ask_request("acme", question, 0, "", 4))]

    *deltas, final = asyncio.run(collect())
    assert isinstance(final, Answer) and all(isinstance(d, str) for d in deltas)
    return [str(d) for d in deltas], final


def test_personal_data_the_model_wrote_is_redacted_before_any_delta() -> None:
    deltas, final = stream(Model(DRAFT))
    assert (final.status, final.outcome) == (Status.ANSWERED, Outcome.VERIFIED)
    assert not [d for d in deltas if any(raw in d for raw in RAW)]
    assert "".join(deltas) == final.text
    assert "[EMAIL]" in final.text and "[PHONE]" in final.text
    assert len(deltas) == 2  # one per sentence
    assert [c.passage.chunk_id for c in final.citations] == ["c1"]


def test_a_draft_that_failed_the_check_is_never_streamed() -> None:
    draft = "Mail returns@shop.example today."
    deltas, final = stream(Model(draft), question="Where should I write or call about returns?")
    assert final.outcome is Outcome.ABSTAINED
    assert "returns@shop.example" not in "".join(deltas)
    assert "".join(deltas) == final.text and "don't know" in final.text


class Withholding:
    async def check_input(self, tenant_id: str, text: str) -> GuardVerdict:
        return GuardVerdict(False, "", text)

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict:
        return GuardVerdict(True, "The answer discloses internal contact details.", text)


def test_an_answer_the_output_guardrail_blocks_is_never_streamed() -> None:
    deltas, final = stream(Model(DRAFT), guard=Withholding())
    assert (final.status, final.outcome, final.citations) == (Status.REFUSED, Outcome.REFUSED, [])
    assert final.text == "I can't help with that: The answer discloses internal contact details."
    assert not [d for d in deltas if any(raw in d for raw in RAW)]


def test_sentence_deltas_join_back_to_the_text() -> None:
    text = "First one. Second one?  “Third.” [1]\n退货期为三十天。请联系客服！ok"
    pieces = sentence_deltas(text)
    assert "".join(pieces) == text
    assert pieces == ["First one. ", "Second one?  ", "“Third.” ", "[1]\n", "退货期为三十天。", "请联系客服！", "ok"]
    assert sentence_deltas("") == []
    assert sentence_deltas("Mail [EMAIL]. Or 3.5 days.") == ["Mail [EMAIL]. ", "Or 3.5 days."]
