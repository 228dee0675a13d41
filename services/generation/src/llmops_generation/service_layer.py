"""The Generate use case: pick the route and the prompt version, fit the passages into the route's
window, call the model, account for the call at the route's prices.

Generate and GenerateStream both come through here; the gRPC servicer only translates messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from opentelemetry import metrics, trace

from llmops_core.errors import InvalidArgument
from llmops_generation.domain.completions import ChatModel, Completion
from llmops_generation.domain.context_window import FittedContext, PromptBudget, fit_contexts
from llmops_generation.domain.pricing import FREE, TokenPrices
from llmops_generation.domain.prompts import DEFAULT_PROMPT
from llmops_generation.domain.requests import Generation, checked_question, generation
from llmops_generation.domain.tokens import TokenCounter
from llmops_generation.prompt_registry import PromptRegistry

log = logging.getLogger(__name__)
meter = metrics.get_meter("llmops.generation")
TOKEN_USAGE = meter.create_histogram("gen_ai.client.token.usage", unit="{token}", description="Tokens per call")
DURATION = meter.create_histogram("gen_ai.client.operation.duration", unit="s", description="Model call time")
COST = meter.create_counter("llmops.cost.usd", unit="USD", description="Model cost from the price table")


@dataclass(frozen=True)
class ModelRoute:
    """One served model: how to call it, how to count its tokens, how many it can read, what it costs."""

    model: ChatModel
    tokenizer: TokenCounter
    name: str
    provider: str
    context_window_tokens: int
    safety_margin_tokens: int
    prices: TokenPrices = FREE
    model_name: str = ""  # the served model, when it differs from the route's name
    default_max_output_tokens: int = 160

    @property
    def served_model(self) -> str:
        return self.model_name or self.name


class RouteTable:
    """The configured routes in file order; the first serves requests that name none."""

    def __init__(self, routes: Sequence[ModelRoute]) -> None:
        if not routes:
            raise ValueError("at least one model route is needed")
        self.routes = {route.name: route for route in routes}
        self.default = routes[0]

    def pick(self, name: str) -> ModelRoute:
        if not name:
            return self.default
        if name not in self.routes:
            raise InvalidArgument(f"no model route {name!r}; this deployment serves {sorted(self.routes)}")
        return self.routes[name]


@dataclass(frozen=True)
class GenerateInput:
    """Generate's arguments as the request carries them, before validation."""

    tenant_id: str
    question: str
    contexts: list[str]
    prompt_name: str = ""
    prompt_version: int = 0
    model_route: str = ""
    session_id: str = ""
    max_output_tokens: int = 0
    temperature: float = 0.0


async def prepare(request: GenerateInput, routes: RouteTable, prompts: PromptRegistry) -> tuple[Generation, ModelRoute]:
    """The validated job and its route; the prompt version is the A/B arm of the session when none is named."""
    question = checked_question(request.tenant_id, request.question, request.max_output_tokens, request.temperature)
    route = routes.pick(request.model_route)
    # Without a session, one question always meets one version: a retry is not a new sample.
    session = request.session_id or f"{request.tenant_id}\0{question}"
    prompt = await prompts.resolve(request.prompt_name or DEFAULT_PROMPT, request.prompt_version, session)
    job = generation(
        request.tenant_id, question, request.contexts, prompt, request.max_output_tokens,
        route.default_max_output_tokens, request.temperature,
    )  # fmt: skip
    return job, route


@dataclass(frozen=True)
class Answer:
    text: str
    prompt_name: str
    prompt_version: int
    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    finish_reason: str
    cached_input_tokens: int = 0
    model_route: str = ""


async def generate(job: Generation, route: ModelRoute, capture_content: bool = False) -> Answer:
    started = time.perf_counter()
    messages, fitted = await _prompt(job, route)
    completion = await route.model.complete(messages, job.max_output_tokens, job.temperature)
    return _answer(job, route, fitted, completion, started, capture_content)


async def generate_stream(
    job: Generation, route: ModelRoute, capture_content: bool = False
) -> AsyncIterator[str | Answer]:
    """Yields text deltas, then the Answer with usage and cost."""
    started = time.perf_counter()
    messages, fitted = await _prompt(job, route)
    async for item in route.model.stream(messages, job.max_output_tokens, job.temperature):
        if isinstance(item, Completion):
            yield _answer(job, route, fitted, item, started, capture_content)
        else:
            yield item


async def _prompt(job: Generation, route: ModelRoute) -> tuple[list[dict[str, str]], FittedContext]:
    budget = PromptBudget(route.context_window_tokens, job.max_output_tokens, route.safety_margin_tokens)
    fitted = await fit_contexts(job.question, job.contexts, job.prompt, budget, route.tokenizer)
    trace.get_current_span().set_attributes(
        {
            "llmops.context.passages": len(job.contexts),
            "llmops.context.passages_trimmed": fitted.trimmed,
            "llmops.context.passages_dropped": fitted.dropped,
            "llmops.context.prompt_tokens": fitted.prompt_tokens,
            "llmops.context.original_tokens": fitted.original_tokens,
            "llmops.context.window_tokens": route.context_window_tokens,
            "llmops.context.tokens_estimated": fitted.estimated,
        }
    )
    if fitted.trimmed or fitted.dropped:
        log.info(
            "prompt of %d tokens%s fitted to %d for the %d-token window of %s: %d passages trimmed, %d dropped",
            fitted.original_tokens, " (estimated)" if fitted.estimated else "", fitted.prompt_tokens,
            route.context_window_tokens, route.name, fitted.trimmed, fitted.dropped,
        )  # fmt: skip
    return job.prompt.render(job.question, list(fitted.passages)), fitted


def _answer(
    job: Generation, route: ModelRoute, fitted: FittedContext, completion: Completion, started: float, capture: bool
) -> Answer:
    # Endpoints that report no prompt usage while streaming (llama.cpp's server) get the prompt as
    # this service counted it, flagged as an estimate: closer to the truth than 0 for cost.
    input_tokens = completion.input_tokens or fitted.prompt_tokens
    estimated = completion.usage_estimated or completion.input_tokens == 0
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": route.provider,
        "gen_ai.request.model": route.served_model,
        "llmops.model_route": route.name,
    }
    cost = route.prices.cost_usd(input_tokens, completion.output_tokens, completion.cached_input_tokens)
    span = trace.get_current_span()
    span.set_attributes(attributes)
    span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
    span.set_attribute("gen_ai.usage.output_tokens", completion.output_tokens)
    span.set_attribute("llmops.cost.usd", cost)
    span.set_attribute("llmops.usage.estimated", estimated)
    span.set_attribute("llmops.prompt.name", job.prompt.name)
    span.set_attribute("llmops.prompt.version", job.prompt.version)
    if capture:
        span.set_attribute("gen_ai.output.text", completion.text)
    TOKEN_USAGE.record(input_tokens, {**attributes, "gen_ai.token.type": "input"})
    TOKEN_USAGE.record(completion.output_tokens, {**attributes, "gen_ai.token.type": "output"})
    DURATION.record(time.perf_counter() - started, attributes)
    COST.add(cost, attributes)
    return Answer(
        text=completion.text,
        prompt_name=job.prompt.name,
        prompt_version=job.prompt.version,
        model=route.served_model,
        provider=route.provider,
        input_tokens=input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=cost,
        finish_reason=completion.finish_reason,
        cached_input_tokens=min(completion.cached_input_tokens, input_tokens),
        model_route=route.name,
    )
