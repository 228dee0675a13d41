"""Routes, small first: a timeout, an error or a request too big for a route goes to the next one at
once, a route that keeps failing is skipped by its circuit breaker, and the answer says which route
answered and why the others did not."""

from __future__ import annotations

import asyncio

from llmops_core.errors import DeadlineExceeded, InvalidArgument, Unavailable
from llmops_query.domain.answers import Generated, Outcome, Passage, ask_request
from llmops_query.domain.breaker import CircuitBreaker
from tests.unit.query.fakes import Model, Retriever, pipeline

QUESTION = "How many days do I have to return items?"


class Failing(Model):
    def __init__(self, error: Exception, name: str) -> None:
        super().__init__("", name)
        self.error = error

    async def generate(self, tenant_id: str, question: str, passages: list[Passage], session_id: str = "") -> Generated:
        self.calls += 1
        raise self.error


def ask_with(*routes: Model) -> tuple[str, str, Outcome]:
    ask = pipeline(Retriever(0.8), *routes)
    answer = asyncio.run(ask.ask(ask_request("acme", QUESTION, 0, "", 4)))
    return answer.route, answer.outcome_reason, answer.outcome


def test_a_timeout_escalates_to_the_next_route() -> None:
    route, reason, outcome = ask_with(
        Failing(DeadlineExceeded("generation: deadline"), "small"), Model("Within 30 days of delivery.", "large")
    )
    assert (route, outcome) == ("large", Outcome.FALLBACK)
    assert reason.startswith("small timed out: generation: deadline")


def test_an_error_or_an_oversized_request_escalates_too() -> None:
    route, reason, _ = ask_with(
        Failing(Unavailable("generation: down"), "small"),
        Failing(InvalidArgument("context too long"), "medium"),
        Model("Within 30 days of delivery.", "large"),
    )
    assert route == "large"
    assert "small failed: generation: down" in reason and "medium could not take the request" in reason


def test_an_unverified_draft_escalates_and_the_route_that_answered_is_recorded() -> None:
    route, reason, _ = ask_with(Model("You have 3 days.", "small"), Model("Within 30 days of delivery.", "large"))
    assert route == "large" and "small draft failed" in reason


def test_every_route_failing_ends_in_a_quote_with_no_route() -> None:
    route, reason, outcome = ask_with(Failing(Unavailable("down"), "small"))
    assert (route, outcome) == ("", Outcome.EXTRACTIVE) and "small failed" in reason


def test_the_breaker_skips_a_failing_route_then_tries_it_again() -> None:
    now = [0.0]
    small = Failing(Unavailable("down"), "small")
    large = Model("Within 30 days of delivery.", "large")
    ask = pipeline(Retriever(0.8), small, large)
    ask.new_breaker = lambda: CircuitBreaker(failure_threshold=2, open_seconds=30, clock=lambda: now[0])
    request = ask_request("acme", QUESTION, 0, "", 4)
    for _ in range(2):
        asyncio.run(ask.ask(request))
    assert small.calls == 2 and ask.breakers["small"].state == "open"
    skipped = asyncio.run(ask.ask(request))
    assert small.calls == 2 and "small skipped: circuit open" in skipped.outcome_reason
    assert skipped.route == "large"
    now[0] = 31.0  # half-open: one trial call; it fails, the circuit opens again
    asyncio.run(ask.ask(request))
    assert small.calls == 3 and ask.breakers["small"].state == "open"


def test_a_half_open_success_closes_the_breaker() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, open_seconds=10, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 10.0
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()


def test_the_answer_pays_for_every_draft_it_wrote() -> None:
    from llmops_query.adapters.answer_events import response

    ask = pipeline(Retriever(0.8), Model("You have 3 days.", "small"), Model("Within 30 days of delivery.", "large"))
    answer = asyncio.run(ask.ask(ask_request("acme", QUESTION, 0, "", 4)))
    ask_response = response(answer, "")
    assert (ask_response.usage.input_tokens, ask_response.usage.output_tokens) == (100, 10)  # 2 drafts of 50 + 5
    assert ask_response.route == "large"
