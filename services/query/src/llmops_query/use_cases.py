"""The Ask and AskStream use cases: guardrails in, retrieval, the support decision, drafts checked
claim by claim (next route, then abstention; a quote only when no model could be asked), guardrails out; and
accepting feedback on an answer this service gave.

Both the gRPC servicer and tests call these; neither re-implements a step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from llmops_core.errors import DeadlineExceeded, InvalidArgument, NotFound, Unavailable
from llmops_grounding import SupportPolicy as ClaimPolicy
from llmops_grounding import check_answer
from llmops_grounding.asked import asked_for, gives_what_is_asked
from llmops_grounding.declines import declines
from llmops_query.domain.answer_ids import AnswerIds
from llmops_query.domain.answer_modes import AnswerModes
from llmops_query.domain.answers import (
    Answer,
    AskRequest,
    Embedder,
    Generator,
    Guardrails,
    Outcome,
    Passage,
    Retriever,
    Status,
    Stopwatch,
    search_text,
)
from llmops_query.domain.breaker import CircuitBreaker
from llmops_query.domain.cache import AnswerCache, CacheKey, apply_hit, cacheable, is_cache_hit
from llmops_query.domain.deltas import sentence_deltas
from llmops_query.domain.feedback import Feedback
from llmops_query.domain.support import SupportPolicy, signals
from llmops_query.domain.verification import answers_question, citations_from, extractive_answer

log = logging.getLogger(__name__)


@dataclass
class AskPipeline:
    guardrails: Guardrails
    retriever: Retriever
    # Model routes in order of preference; a draft that fails the check goes to the next one.
    routes: list[Generator]
    embedder: Embedder
    support: SupportPolicy
    answer_ids: AnswerIds
    claims: ClaimPolicy = field(default_factory=ClaimPolicy)
    modes: AnswerModes = field(default_factory=AnswerModes)
    # One breaker per route name, shared by every request this process serves.
    new_breaker: Callable[[], CircuitBreaker] = CircuitBreaker
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    # The semantic answer cache (domain/cache.py); None: every question is answered afresh.
    cache: AnswerCache | None = None
    # Search the question as typed while the input guardrail checks it (decision 0028). Off: retrieval
    # sees only the checked, redacted text, one stage after the other.
    search_while_checking: bool = False

    async def prepare(self, request: AskRequest, clock: Stopwatch) -> Answer:
        """Everything before generation; the answer is final unless its status is ANSWERED."""
        answer_id = self.answer_ids.issue(request.tenant_id)
        answer = Answer(answer_id, request.tenant_id, request.session_id, request.question, Status.ANSWERED, "", "")
        typed = search_text(request.question)
        # Decision 0028: the search of the question as typed overlaps the input check (about 25 ms
        # each); it is thrown away if the check refuses, hits the cache, or changed the text.
        early = self._search(request, typed, clock) if self.search_while_checking else None
        done = clock.timed("guardrails_in")
        try:
            verdict = await self.guardrails.check_input(request.tenant_id, request.question)
        except BaseException:
            await _discard(early)
            raise
        done()
        answer.question = verdict.text
        if verdict.blocked and not verdict.scope_only:
            await _discard(early)
            answer.refuse(verdict.reason)
            return answer
        if self.cache is not None and not verdict.blocked and not self.modes.strict(request.tenant_id):
            done = clock.timed("cache_lookup")
            try:
                hit = await self.cache.lookup(CacheKey(request.tenant_id), verdict.text)
            except Exception:  # a cache outage costs its latency, not the answer
                log.exception("answer cache lookup failed")
                hit = None
            done()
            if hit is not None:  # retrieval and generation are skipped; the output check still runs
                await _discard(early)
                log.info("answer cache hit", extra={"tenant_id": request.tenant_id, "similarity": hit.similarity})
                return apply_hit(answer, hit)
        redacted = search_text(verdict.text)
        if early is not None and redacted == typed:
            answer.passages = await early
        else:
            await _discard(early)
            answer.passages = await self._search(request, redacted, clock)
        if verdict.blocked:  # out of the stated scope: in scope after all if the corpus is close to it
            done = clock.timed("guardrails_scope")
            closest = max((p.similarity for p in answer.passages), default=0.0)
            verdict = await self.guardrails.check_input(request.tenant_id, request.question, closest)
            done()
            if verdict.blocked:
                answer.refuse(verdict.reason)
                answer.passages = []
                return answer
        found = signals(search_text(answer.question), answer.passages)
        if not self.support.answerable(found):
            answer.abstain(self.support.reason(found), request.question)
        return answer

    def _search(self, request: AskRequest, text: str, clock: Stopwatch) -> asyncio.Task[list[Passage]]:
        async def search() -> list[Passage]:
            done = clock.timed("retrieval")
            passages = await self.retriever.search(request.tenant_id, text, request.top_k)
            done()
            return passages

        return asyncio.create_task(search())

    async def compose(self, answer: Answer, clock: Stopwatch) -> Answer:
        """Drafts from each route until one passes the check; else abstain. Only when no route wrote a
        draft (strict mode: an open drift alert for the tenant; or every route down) is the passage
        sentence that answers quoted instead (decision 0038)."""
        failures: list[str] = []
        question = search_text(answer.question)  # redaction placeholders are not part of what is asked
        strict = self.modes.strict(answer.tenant_id)
        routes = [] if strict else self.routes
        if strict:
            failures.append(strict.reason())
        for position, route in enumerate(routes):
            name = getattr(route, "name", "") or f"route {position + 1}"
            breaker = self.breakers.get(name) or self.breakers.setdefault(name, self.new_breaker())
            if not breaker.allow():
                failures.append(f"{name} skipped: {breaker.reason()}")
                continue
            done = clock.timed("generation" if position == 0 else f"generation_{position + 1}")
            try:
                draft = await route.generate(answer.tenant_id, answer.question, answer.passages, answer.session_id)
            except (Unavailable, DeadlineExceeded) as error:  # the next route, at once
                done()
                breaker.record_failure()
                failures.append(f"{name} {'timed out' if isinstance(error, DeadlineExceeded) else 'failed'}: {error}")
                continue
            except InvalidArgument as error:  # the question and passages do not fit this route's window
                done()
                failures.append(f"{name} could not take the request: {error}")
                continue
            done()
            breaker.record_success()
            answer.generated = draft
            answer.drafts.append(draft)
            done = clock.timed("verification")
            check = await check_answer(
                draft.text, [p.text for p in answer.passages], self.embedder, self.claims, question,
                [p.title for p in answer.passages],
            )  # fmt: skip
            done()
            cited = citations_from(check, answer.passages)
            on_topic = await answers_question(question, cited, self.embedder, self.claims.min_support)
            gives_asked = gives_what_is_asked(question, draft.text)
            if check.claims and check.grounded and on_topic and gives_asked:
                answer.text, answer.citations, answer.route = draft.text, cited, name
                answer.outcome = Outcome.VERIFIED if position == 0 else Outcome.FALLBACK
                answer.outcome_reason = "; ".join(failures) or "every claim of the draft is supported by a passage"
                return answer
            if declines(draft.text):  # the model's own reading: the next route may still find it
                failures.append(f"{draft.model or f'route {position + 1}'} found no answer in the passages")
                continue
            asked = asked_for(question)
            problems = check.reasons() or (
                ["the draft states nothing that can be checked"]
                if not check.claims
                else [f"it gives no {asked.value}, which the question asks for"]
                if on_topic and asked is not None
                else ["it does not answer the question"]
            )
            failures.append(f"{draft.model or f'route {position + 1}'} draft failed: {problems[0]}")
        if answer.drafts:
            # A model read these passages and no draft survived the check: a quoted sentence would put
            # in front of the customer what the model could not support (decision 0038). Quoting stays
            # for when no model could be asked at all (strict mode, every route down or timed out).
            answer.abstain("; ".join([*failures, "no draft passed the check"]), answer.question)
            return answer
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
            if verdict.blocked:  # the checked text is withheld entirely, citations with it
                answer.refuse(verdict.reason)
                answer.citations = []
            else:
                answer.text = verdict.text
        answer.latencies_ms = dict(clock.stages)
        return answer

    async def ask(self, request: AskRequest) -> Answer:
        clock = Stopwatch()
        answer = await self.prepare(request, clock)
        if answer.status is Status.ANSWERED and not is_cache_hit(answer):
            answer = await self.compose(answer, clock)
        answer = await self.finish(answer, clock)
        await self._remember(answer)
        return answer

    async def _remember(self, answer: Answer) -> None:
        """Checked answers go into the cache; never in strict mode, never a refusal or abstention."""
        if self.cache is None or not cacheable(answer, strict=self.modes.strict(answer.tenant_id) is not None):
            return
        try:
            await self.cache.store(answer)
        except Exception:  # the answer is given either way
            log.exception("answer cache store failed")

    async def ask_stream(self, request: AskRequest) -> AsyncIterator[str | Answer]:
        """The final answer sentence by sentence, then the answer itself.

        Every piece is cut from the text the output guardrail returned: nothing the model wrote is
        sent before the claim check and the output check have both passed (a streamed draft that
        then failed, or a token that turned out to be part of an e-mail address, could not be taken
        back). The draft must be whole for the claim check anyway, so checking it whole once costs
        no latency and catches personal data that a per-sentence check would split.
        """
        answer = await self.ask(request)
        for piece in sentence_deltas(answer.text):
            yield piece
        yield answer

    async def accept_feedback(self, feedback: Feedback) -> Feedback:
        """The feedback with its comment redacted, when it names an answer this tenant was given."""
        if not self.answer_ids.issued(feedback.tenant_id, feedback.answer_id):
            raise NotFound(f"answer {feedback.answer_id[:64]!r} was not given to tenant {feedback.tenant_id!r}")
        comment = feedback.comment
        if comment.strip():  # analysts read feedback too: no raw personal data in the event
            verdict = await self.guardrails.check_output(feedback.tenant_id, comment, "")
            comment = "" if verdict.blocked else verdict.text
        return Feedback(feedback.tenant_id, feedback.answer_id, feedback.rating, comment)


async def _discard(task: asyncio.Task[list[Passage]] | None) -> None:
    """Cancels a search whose result is not wanted and collects its outcome (its errors do not matter)."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
