"""Model routes: the routes file, choosing a route per request, the answer's model and cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.errors import FailedPrecondition, InvalidArgument
from llmops_core.settings import TritonSettings
from llmops_generation.adapters.packaged_prompt_store import NoActivations, PackagedPromptStore
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.adapters.route_file import env_route, load_routes, read_route_file
from llmops_generation.adapters.triton_model import TritonChatModel, TritonTokenCounter
from llmops_generation.bootstrap import build_model
from llmops_generation.domain.completions import Completion
from llmops_generation.domain.pricing import TokenPrices
from llmops_generation.domain.routes import RouteFileError
from llmops_generation.prompt_registry import PromptRegistry
from llmops_generation.service_layer import GenerateInput, ModelRoute, RouteTable, generate, prepare
from llmops_generation.settings import PACKAGED_ROUTES, GenerationSettings
from tests.unit.generation.fakes import RecordingModel, WordCounter, packaged_registry


class CachingModel(RecordingModel):
    """Reports usage like OpenAI: 1,200 prompt tokens, 1,000 of them from the prompt cache."""

    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion:
        await super().complete(messages, max_tokens, temperature)
        return Completion("30 days", 1_200, 300, "stop", cached_input_tokens=1_000)


def test_the_packaged_file_routes_two_models_on_two_servers_and_one_on_triton(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = GenerationSettings(
        routes_file=PACKAGED_ROUTES,
        llm_base_url="http://127.0.0.1:9999/v1",
        triton=TritonSettings(grpc_url="127.0.0.1:9998"),
    )
    monkeypatch.setenv("LLMOPS_ROUTE_LARGE_BASE_URL", "http://127.0.0.1:9997/v1")
    monkeypatch.setenv("LLMOPS_ROUTE_LARGE_MODEL", "qwen2.5-coder-0.5b-instruct")
    large, small, on_triton = load_routes(settings)
    assert (large.name, small.name) == ("large", "small")  # the first is the default
    # The large route is the 0.5B model on its own server; the small one follows the llm_* settings.
    assert (large.base_url, large.model) == ("http://127.0.0.1:9997/v1", "qwen2.5-coder-0.5b-instruct")
    assert (small.base_url, small.model) == ("http://127.0.0.1:9999/v1", settings.llm_model)
    assert small.timeout_seconds < large.timeout_seconds
    assert small.context_window_tokens < large.context_window_tokens
    assert small.default_max_output_tokens < large.default_max_output_tokens
    # The Triton route follows the stack's Triton and names the packaged model.
    assert (on_triton.backend, on_triton.base_url, on_triton.model) == ("triton", "127.0.0.1:9998", "generator")
    # Without the stack's variables the file names what is missing.
    monkeypatch.delenv("LLMOPS_ROUTE_LARGE_BASE_URL")
    with pytest.raises(RouteFileError, match="LLMOPS_ROUTE_LARGE_BASE_URL"):
        load_routes(settings)


def test_without_a_file_the_settings_make_the_one_route() -> None:
    [route] = load_routes(GenerationSettings())
    assert (route.name, route.backend, route.prices) == ("smollm2-135m-instruct", "openai", TokenPrices())


def test_a_malformed_routes_file_names_the_route_and_field(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    defaults = env_route(GenerationSettings())
    for text, message in [
        ("routes: []", "non-empty list"),
        ("routes: [{name: a, backend: grpc}]", "backend 'grpc'"),
        ("routes: [{name: a, timeout_seconds: -1}]", "'a': 'timeout_seconds'"),
        ("routes: [{name: a, price_per_million_tokens: {input: -2}}]", "price 'input'"),
        ("routes: [{name: a}, {name: a}]", "unique"),
    ]:
        path.write_text(text)
        with pytest.raises(RouteFileError, match=message):
            read_route_file(path, defaults)


def test_a_triton_route_builds_the_triton_client_with_its_own_token_counter(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text("routes: [{name: t, backend: triton, base_url: 'triton:8001', model: llm, timeout_seconds: 5}]")
    [spec] = read_route_file(path, env_route(GenerationSettings()))
    model = build_model(GenerationSettings(), spec)
    assert isinstance(model, TritonChatModel)
    assert (model.url, model.model, model.timeout_seconds) == ("triton:8001", "llm", 5)
    assert isinstance(model.tokenizer, TritonTokenCounter)  # counts come from Triton, never estimated


def routes(model: RecordingModel) -> RouteTable:
    small = ModelRoute(model, WordCounter(), "small", "fake", 600, 16, default_max_output_tokens=50)
    hosted = ModelRoute(
        model, WordCounter(), "hosted", "openai", 4096, 16, model_name="gpt-4o-mini",
        prices=TokenPrices(0.15, 0.60, 0.075),
    )  # fmt: skip
    return RouteTable([small, hosted])


async def test_model_route_picks_the_route_and_its_prices() -> None:
    registry = await packaged_registry()
    table = routes(CachingModel())
    job, route = await prepare(GenerateInput("acme", "How long?", []), table, registry)
    assert (route.name, job.max_output_tokens) == ("small", 50)  # empty: the first route and its default
    with pytest.raises(InvalidArgument, match=r"no model route 'gpt-9'; this deployment serves \['hosted', 'small'\]"):
        await prepare(GenerateInput("acme", "q", [], model_route="gpt-9"), table, registry)

    job, route = await prepare(GenerateInput("acme", "How long?", [], model_route="hosted"), table, registry)
    answer = await generate(job, route)
    assert (answer.model, answer.provider, answer.model_route) == ("gpt-4o-mini", "openai", "hosted")
    assert (answer.input_tokens, answer.cached_input_tokens, answer.output_tokens) == (1_200, 1_000, 300)
    assert answer.cost_usd == pytest.approx((200 * 0.15 + 1_000 * 0.075 + 300 * 0.60) / 1_000_000)


async def test_the_prompt_version_follows_the_session_and_is_in_the_answer() -> None:
    registry = await packaged_registry()
    await registry.activate("rag-answer", [(1, 0.5), (2, 0.5)], "ops")
    table = routes(RecordingModel())
    seen = set()
    for session in ("s1", "s2", "s3", "s4", "s5", "s6"):
        job, route = await prepare(GenerateInput("acme", "How long?", [], session_id=session), table, registry)
        again, _ = await prepare(GenerateInput("acme", "Other?", [], session_id=session), table, registry)
        assert job.prompt.version == again.prompt.version
        answer = await generate(job, route)
        assert answer.prompt_version == job.prompt.version
        seen.add(answer.prompt_version)
    assert seen == {1, 2}
    pinned, _ = await prepare(GenerateInput("acme", "q", [], prompt_version=1, session_id="s2"), table, registry)
    assert pinned.prompt.version == 1


async def test_without_the_database_the_files_serve_and_activations_are_refused() -> None:
    registry = PromptRegistry(PackagedPromptStore(load_prompt_files()), NoActivations())
    assert (await registry.resolve("rag-answer", 0, "s")).version == 3
    with pytest.raises(FailedPrecondition, match="activations need PostgreSQL"):
        await registry.activate("rag-answer", [(1, 1.0)], "ops")


def test_a_route_may_name_an_environment_variable_and_an_unset_one_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(
        "routes: [{name: large, base_url: os.environ/LARGE_URL, model: os.environ/LARGE_MODEL}, {name: small}]"
    )
    defaults = env_route(GenerationSettings())
    environ = {"LARGE_URL": "http://127.0.0.1:8081/v1", "LARGE_MODEL": "qwen2.5-coder-0.5b-instruct"}
    large, small = read_route_file(path, defaults, environ=environ)
    assert (large.base_url, large.model) == ("http://127.0.0.1:8081/v1", "qwen2.5-coder-0.5b-instruct")
    assert (small.base_url, small.model) == (defaults.base_url, defaults.model)
    with pytest.raises(RouteFileError, match="'large': 'base_url' names the environment variable LARGE_URL, unset"):
        read_route_file(path, defaults, environ={"LARGE_MODEL": "x"})
