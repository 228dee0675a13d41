"""The Ask and AskStream use cases: guardrails in, retrieval, the support decision, drafts checked
claim by claim (next route, then an extractive answer, then abstention), guardrails out.

Both the gRPC servicer and tests call these; neither re-implements a step.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from llmops_grounding import SupportPolicy as ClaimPolicy
from llmops_grounding import check_answer
from llmops_query.domain.answers import (
    Answer,
    AskRequest,
    Embedder,
    Generator,
    Guardrails,
    Outcome,
    Retriever,
    Status,
    Stopwatch,
    search_text,
)
from llmops_query.domain.support import SupportPolicy, signals
from llmops_query.domain.verification import answers_question, citations_from, extractive_answer

STREAM_PIECE_CHARS = 24


@dataclass
class AskPipeline:
    guardrails: Guardrails
    retriever: Retriever
    # Model routes in order of preference; a draft that fails the check goes to the next one.
    routes: list[Generator]
    embedder: Embedder
    support: SupportPolicy
    claims: ClaimPolicy = field(default_factory=ClaimPolicy)

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
            answer.refuse(verdict.reason)
            return answer
        done = clock.timed("retrieval")
        answer.passages = await self.retriever.search(request.tenant_id, search_text(verdict.text), request.top_k)
        done()
        found = signals(search_text(answer.question), answer.passages)
        if not self.support.answerable(found):
            answer.abstain(self.support.reason(found), request.question)
        return answer

    async def compose(self, answer: Answer, clock: Stopwatch) -> Answer:
        """Drafts from each route until one passes the check; else an extractive answer; else abstain."""
        failures: list[str] = []
        question = search_text(answer.question)  # redaction placeholders are not part of what is asked
        for position, route in enumerate(self.routes):
            done = clock.timed("generation" if position == 0 else f"generation_{position + 1}")
            draft = await route.generate(answer.tenant_id, answer.question, answer.passages)
            done()
            answer.generated = draft
            done = clock.timed("verification")
            check = await check_answer(
                draft.text, [p.text for p in answer.passages], self.embedder, self.claims, question
            )
            done()
            cited = citations_from(check, answer.passages)
            on_topic = await answers_question(question, cited, self.embedder, self.claims.min_support)
            if check.claims and check.grounded and on_topic:
                answer.text, answer.citations = draft.text, cited
                answer.outcome = Outcome.VERIFIED if position == 0 else Outcome.FALLBACK
                answer.outcome_reason = "; ".join(failures) or "every claim of the draft is supported by a passage"
                return answer
            problems = check.reasons() or (
                ["the draft states nothing that can be checked"]
                if not check.claims
                else ["it does not answer the question"]
            )
            failures.append(f"{draft.model or f'route {position + 1}'} draft failed: {problems[0]}")
        done = clock.timed("extraction")
        extract = await extractive_answer(question, answer.passages, self.embedder, self.claims)
        done()
        if extract is None:
            answer.abstain("; ".join([*failures, "no passage sentence answers the question"]), answer.question)
            return answer
        answer.text, answer.citations = extract.text, extract.citations
        answer.outcome = Outcome.EXTRACTIVE
        answer.outcome_reason = "; ".join([*failures, "quoting the passage sentence that answers the question"])
        return answer

    async def finish(self, answer: Answer, clock: Stopwatch) -> Answer:
        if answer.status is Status.ANSWERED:
            done = clock.timed("guardrails_out")
            verdict = await self.guardrails.check_output(answer.tenant_id, answer.text, answer.question)
            done()
            answer.text = verdict.text
        answer.latencies_ms = dict(clock.stages)
        return answer

    async def ask(self, request: AskRequest) -> Answer:
        clock = Stopwatch()
        answer = await self.prepare(request, clock)
        if answer.status is Status.ANSWERED:
            answer = await self.compose(answer, clock)
        return await self.finish(answer, clock)

    async def ask_stream(self, request: AskRequest) -> AsyncIterator[str | Answer]:
        """Text pieces of the final answer, then the answer itself.

        Nothing the model wrote is sent before the check has passed (a streamed draft that then
        failed could not be taken back), so pieces flow only once the answer is final.
        """
        answer = await self.ask(request)
        for start in range(0, len(answer.text), STREAM_PIECE_CHARS):
            yield answer.text[start : start + STREAM_PIECE_CHARS]
        yield answer
