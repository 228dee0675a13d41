"""Every gRPC method of the services that run in process, fuzzed with malformed and hostile requests.

The servers are the real ``GrpcServer`` (tracing, error mapping, auth) around the real servicers;
what a servicer calls out to is a fake (query's model, retrieval and embedder) or in memory
(telemetry's aggregates, evaluation's scores). Whatever arrives, the answer is OK or a proper
status with a sentence: never INTERNAL or UNKNOWN, never a crash.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from llmops_core.auth.principal import ANY_TENANT
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.settings import AuthSettings
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.domain.drift_policy import parse_drift_policies
from llmops_evaluation.domain.groundedness import Groundedness
from llmops_evaluation.domain.tenant_drift import DriftConfig
from llmops_evaluation.drift_use_cases import DriftLoop, ScoredAnswer
from llmops_evaluation.entrypoints.grpc_servicer import EvaluationServicer
from llmops_evaluation.settings import EvaluationSettings
from llmops_generation.domain.completions import Completion
from llmops_generation.domain.tokens import TokenCounts, estimate_tokens
from llmops_generation.entrypoints.grpc_servicer import GenerationServicer
from llmops_generation.service_layer import ModelRoute, RouteTable
from llmops_generation.settings import GenerationSettings
from llmops_guardrails.bootstrap import build_server as guardrails_server
from llmops_guardrails.settings import GuardrailsSettings
from llmops_query.entrypoints.grpc_servicer import QueryServicer
from llmops_query.settings import QuerySettings
from llmops_telemetry.domain.aggregates import Aggregates, AnswerRow
from llmops_telemetry.entrypoints.grpc_servicer import TelemetryServicer
from llmops_telemetry.settings import TelemetrySettings
from tests.unit.evaluation.fakes import Hook, MemoryFeedback, MemoryStore, Review
from tests.unit.evaluation.fakes import Publisher as AlertSink
from tests.unit.generation.fakes import packaged_registry
from tests.unit.grounding.fakes import WordOverlapEmbedder
from tests.unit.query.fakes import Model, Retriever, pipeline

T = TypeVar("T")
Code = grpc.StatusCode
NEVER = {Code.INTERNAL, Code.UNKNOWN, Code.UNIMPLEMENTED, Code.DATA_LOSS}
# No example database: nothing is written into the repository, and a run is reproducible.
FUZZ = settings(
    max_examples=50, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

# Hostile text: any unicode (control characters and NUL included), look-alikes of valid values,
# injection strings, and strings far past every documented limit.
SPECIAL = ["", " ", "\x00", "acme\n", "acme\x00", "ACME", "acme ", "../etc/passwd", "' OR 1=1 --", "${jndi:x}",
           "\u202eacme", "a" * 65, "\ud7ff" * 10, "🙂" * 3000, "x" * 70_000, "\n" * 5000]  # fmt: skip
# No lone surrogates: protobuf cannot encode them, so the request could not even be built.
chars = st.characters(exclude_categories=["Cs"])
text = st.one_of(
    st.text(chars, max_size=300), st.sampled_from(SPECIAL), st.builds(str.__mul__, chars, st.integers(0, 40_000))
)
tenant = st.one_of(st.just("acme"), st.from_regex(r"\A[a-z0-9_-]{1,64}\Z"), text)
uint32 = st.one_of(st.integers(0, 50), st.integers(0, 2**32 - 1))
int32 = st.integers(-(2**31), 2**31 - 1)
long_digits = st.builds(str.__mul__, st.just("9"), st.integers(0, 9000))
page_token = st.one_of(st.from_regex(r"\A\d{1,30}\Z"), long_digits, text)
page = st.builds(lambda size, token: {"page_size": size, "page_token": token}, uint32, page_token)


class Servers:
    """The servers on one event loop in a thread of its own: hypothesis runs examples synchronously,
    and a server per example would make the suite slow."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.started: dict[str, GrpcServer] = {}
        self.tokens = ServiceTokens(AuthSettings().service_secret.get_secret_value())

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def start(self, name: str, build: Callable[[], GrpcServer]) -> grpc.Channel:
        async def started() -> GrpcServer:
            server = build()  # grpc.aio servers belong to the loop they are made on
            await server.start()
            return server

        server = self.started[name] = self.run(started())
        return grpc.insecure_channel(f"127.0.0.1:{server.port}")

    def credential(self) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.tokens.mint('fuzz', ANY_TENANT)}"),)

    def stop(self) -> None:
        for server in self.started.values():
            self.run(server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def proper(call: Callable[[], object]) -> None:
    try:
        call()
    except grpc.RpcError as error:
        code, details = error.code(), error.details() or ""  # type: ignore[attr-defined]
        assert code not in NEVER, f"{code.name}: {details[:500]}"
        assert len(details.split()) >= 3 and len(details) <= 2000, f"{code.name} without a sentence: {details[:500]!r}"


class Publisher:
    async def publish(self, topic: str, key: str, message: object) -> None:
        return None


class FakeModel:
    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion:
        return Completion("Items can be returned within 30 days.", 10, 8, "stop")

    async def stream(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> AsyncIterator[str | Completion]:
        yield "Items can be returned "
        yield Completion("Items can be returned within 30 days.", 10, 8, "stop")


class EstimatedCounts:
    async def count(self, texts: Sequence[str]) -> TokenCounts:
        return TokenCounts(tuple(estimate_tokens(t) for t in texts), estimated=True)


class Scores:
    async def save(self, tenant_id: str, answer_id: str, result: Groundedness, trace_id: str) -> None:
        return None

    async def get(self, tenant_id: str, answer_id: str) -> Groundedness | None:
        return Groundedness(1.0, False, []) if answer_id == "scored" else None


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    running = Servers()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def query(servers: Servers) -> tuple[query_pb2_grpc.QueryServiceStub, str]:
    ask = pipeline(Retriever(0.8), Model("Items can be returned within 30 days."))
    settings = QuerySettings(grpc_port=0)
    registration = ServiceRegistration(
        query_pb2.DESCRIPTOR.services_by_name["QueryService"],
        query_pb2_grpc.add_QueryServiceServicer_to_server,
        QueryServicer(ask, Publisher(), settings),  # type: ignore[arg-type]
    )
    channel = servers.start("query", lambda: GrpcServer(settings, [registration]))
    return query_pb2_grpc.QueryServiceStub(channel), ask.answer_ids.issue("acme")  # type: ignore[no-untyped-call]


ask_requests = st.builds(
    query_pb2.AskRequest, tenant_id=tenant, question=text, top_k=uint32, session_id=text,
    metadata_filter=st.dictionaries(text, text, max_size=3),
)  # fmt: skip


@FUZZ
@given(request=ask_requests)
def test_ask(
    servers: Servers, query: tuple[query_pb2_grpc.QueryServiceStub, str], request: query_pb2.AskRequest
) -> None:
    proper(lambda: query[0].Ask(request, metadata=servers.credential(), timeout=30))


@FUZZ
@given(request=ask_requests)
def test_ask_stream(
    servers: Servers, query: tuple[query_pb2_grpc.QueryServiceStub, str], request: query_pb2.AskRequest
) -> None:
    proper(lambda: list(query[0].AskStream(request, metadata=servers.credential(), timeout=30)))


@FUZZ
@given(tenant_id=tenant, answer=st.one_of(st.just("issued"), st.uuids().map(str), text), rating=int32, comment=text)
def test_submit_feedback(
    servers: Servers,
    query: tuple[query_pb2_grpc.QueryServiceStub, str],
    tenant_id: str,
    answer: str,
    rating: int,
    comment: str,
) -> None:
    stub, issued = query
    request = query_pb2.SubmitFeedbackRequest(
        tenant_id=tenant_id, answer_id=issued if answer == "issued" else answer, rating=rating, comment=comment
    )
    proper(lambda: stub.SubmitFeedback(request, metadata=servers.credential(), timeout=30))


def test_feedback_on_an_unknown_answer_is_not_found(
    servers: Servers, query: tuple[query_pb2_grpc.QueryServiceStub, str]
) -> None:
    stub, issued = query
    for tenant_id, answer_id in [("acme", str(uuid.uuid4())), ("globex", issued), ("acme", "forged")]:
        with pytest.raises(grpc.RpcError) as error:
            stub.SubmitFeedback(
                query_pb2.SubmitFeedbackRequest(tenant_id=tenant_id, answer_id=answer_id, rating=1),
                metadata=servers.credential(),
            )
        assert error.value.code() == Code.NOT_FOUND  # type: ignore[attr-defined]
    given = stub.SubmitFeedback(
        query_pb2.SubmitFeedbackRequest(tenant_id="acme", answer_id=issued, rating=1), metadata=servers.credential()
    )
    assert given.feedback_id


# The rules and policies in process; the scope check's embedder and the injection classifier are off.
RULES_ONLY = GuardrailsSettings(grpc_port=0, embedding_url="", classifier_enabled=False)


@pytest.fixture(scope="module")
def guardrails(servers: Servers) -> guardrails_pb2_grpc.GuardrailsServiceStub:
    channel = servers.start("guardrails", lambda: guardrails_server(RULES_ONLY))
    return guardrails_pb2_grpc.GuardrailsServiceStub(channel)  # type: ignore[no-untyped-call]


@FUZZ
@given(tenant_id=tenant, body=text, question=text, policy=text)
def test_guardrails(
    servers: Servers, guardrails: guardrails_pb2_grpc.GuardrailsServiceStub, tenant_id: str, body: str, question: str,
    policy: str,
) -> None:  # fmt: skip
    check_in = guardrails_pb2.CheckInputRequest(tenant_id=tenant_id, text=body, policy=policy)
    proper(lambda: guardrails.CheckInput(check_in, metadata=servers.credential(), timeout=30))
    check_out = guardrails_pb2.CheckOutputRequest(tenant_id=tenant_id, text=body, question=question, policy=policy)
    proper(lambda: guardrails.CheckOutput(check_out, metadata=servers.credential(), timeout=30))


@pytest.fixture(scope="module")
def telemetry(servers: Servers) -> telemetry_pb2_grpc.TelemetryServiceStub:
    aggregates = Aggregates(recent_answers=10, max_tenants=5)
    aggregates.answer("acme", AnswerRow("a1", 1.0, "q", "answered", "t"), (1, 1), 0.0, {"retrieval": 3.0})
    registration = ServiceRegistration(
        telemetry_pb2.DESCRIPTOR.services_by_name["TelemetryService"],
        telemetry_pb2_grpc.add_TelemetryServiceServicer_to_server,
        TelemetryServicer(aggregates),
    )
    channel = servers.start("telemetry", lambda: GrpcServer(TelemetrySettings(grpc_port=0), [registration]))
    return telemetry_pb2_grpc.TelemetryServiceStub(channel)  # type: ignore[no-untyped-call]


@FUZZ
@given(tenant_id=tenant, window=uint32, paging=page)
def test_telemetry(
    servers: Servers, telemetry: telemetry_pb2_grpc.TelemetryServiceStub, tenant_id: str, window: int,
    paging: dict[str, Any],
) -> None:  # fmt: skip
    summary = telemetry_pb2.GetSummaryRequest(tenant_id=tenant_id, window_seconds=window)
    proper(lambda: telemetry.GetSummary(summary, metadata=servers.credential(), timeout=30))
    listing = telemetry_pb2.ListAnswersRequest(tenant_id=tenant_id, page=paging)
    proper(lambda: telemetry.ListAnswers(listing, metadata=servers.credential(), timeout=30))


@pytest.fixture(scope="module")
def generation(servers: Servers) -> generation_pb2_grpc.GenerationServiceStub:
    settings = GenerationSettings(grpc_port=0)
    route = ModelRoute(FakeModel(), EstimatedCounts(), "fake", "tests", 4096, 32)
    prompts = asyncio.run(packaged_registry())
    registration = ServiceRegistration(
        generation_pb2.DESCRIPTOR.services_by_name["GenerationService"],
        generation_pb2_grpc.add_GenerationServiceServicer_to_server,
        GenerationServicer(RouteTable([route]), prompts, settings),
    )
    channel = servers.start("generation", lambda: GrpcServer(settings, [registration]))
    return generation_pb2_grpc.GenerationServiceStub(channel)  # type: ignore[no-untyped-call]


generate_requests = st.builds(
    generation_pb2.GenerateRequest, tenant_id=tenant, question=text,
    contexts=st.lists(st.builds(generation_pb2.ContextPassage, chunk_id=text, text=text), max_size=4),
    prompt_name=st.one_of(st.just("rag-answer"), text), prompt_version=uint32, model_route=text,
    max_output_tokens=uint32, temperature=st.floats(width=32), session_id=text,
)  # fmt: skip
prompt_names = st.one_of(st.just("rag-answer"), text)
weighted_versions = st.lists(st.builds(generation_pb2.WeightedVersion, version=uint32, weight=st.floats()), max_size=3)


@FUZZ
@given(request=generate_requests, paging=page)
def test_generation(
    servers: Servers, generation: generation_pb2_grpc.GenerationServiceStub, request: generation_pb2.GenerateRequest,
    paging: dict[str, Any],
) -> None:  # fmt: skip
    proper(lambda: generation.Generate(request, metadata=servers.credential(), timeout=30))
    proper(lambda: list(generation.GenerateStream(request, metadata=servers.credential(), timeout=30)))
    prompts = generation_pb2.ListPromptsRequest(page=paging)
    proper(lambda: generation.ListPrompts(prompts, metadata=servers.credential(), timeout=30))


@FUZZ
@given(name=prompt_names, a=uint32, b=uint32, versions=weighted_versions, actor=text)
def test_generation_prompt_admin(
    servers: Servers, generation: generation_pb2_grpc.GenerationServiceStub, name: str, a: int, b: int,
    versions: list[generation_pb2.WeightedVersion], actor: str,
) -> None:  # fmt: skip
    auth = servers.credential()
    get = generation_pb2.GetPromptRequest(name=name, version=a)
    proper(lambda: generation.GetPrompt(get, metadata=auth, timeout=30))
    diff = generation_pb2.DiffPromptsRequest(name=name, from_version=a, to_version=b)
    proper(lambda: generation.DiffPrompts(diff, metadata=auth, timeout=30))
    activate = generation_pb2.ActivatePromptRequest(name=name, versions=versions, actor=actor)
    proper(lambda: generation.ActivatePrompt(activate, metadata=auth, timeout=30))
    rollback = generation_pb2.RollbackPromptRequest(name=name, actor=actor)
    proper(lambda: generation.RollbackPrompt(rollback, metadata=auth, timeout=30))


@pytest.fixture(scope="module")
def evaluation(servers: Servers, query: object) -> evaluation_pb2_grpc.EvaluationServiceStub:
    query_port = servers.started["query"].port  # the query server above answers the suites' questions
    settings = EvaluationSettings(grpc_port=0, suite_score_wait_seconds=0)
    policies = parse_drift_policies({"policies": {"default": {}}})
    drift = DriftLoop(MemoryStore(), AlertSink(), DriftConfig(), policies, Review(), Hook())
    feedback = MemoryFeedback()
    asyncio.run(drift.observe_answer(ScoredAnswer("acme", "a1", "answered", 0.9, False, 0.7)))
    asyncio.run(feedback.save("acme", "f1", "a1", -1, "wrong"))

    def build() -> GrpcServer:
        servicer = EvaluationServicer(
            Scores(),  # type: ignore[arg-type]
            drift,
            feedback,  # type: ignore[arg-type]
            QueryClient(f"127.0.0.1:{query_port}", 30),
            WordOverlapEmbedder(),
            settings,
        )
        registration = ServiceRegistration(
            evaluation_pb2.DESCRIPTOR.services_by_name["EvaluationService"],
            evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server,
            servicer,
        )
        return GrpcServer(settings, [registration])

    return evaluation_pb2_grpc.EvaluationServiceStub(servers.start("evaluation", build))  # type: ignore[no-untyped-call]


suite_files = st.one_of(
    st.binary(max_size=2000),
    text.map(str.encode),
    st.sampled_from(
        [b"", b"- question: hi\n  expect: answered\n", b"{a: [", b"!!python/object:os.system x", b"\xff\xfe"]
    ),
)


@FUZZ
@given(
    tenant_id=tenant,
    name=text,
    suite=suite_files,
    fmt=st.one_of(st.sampled_from(["yaml", "json", ""]), text),
    answer_id=st.one_of(st.just("scored"), text),
    contexts=st.lists(text, max_size=3),
    answer=text,
    question=text,
)
def test_evaluation(
    servers: Servers, evaluation: evaluation_pb2_grpc.EvaluationServiceStub, tenant_id: str, name: str, suite: bytes,
    fmt: str, answer_id: str, contexts: list[str], answer: str, question: str,
) -> None:  # fmt: skip
    metadata = servers.credential()
    run = evaluation_pb2.RunSuiteRequest(tenant_id=tenant_id, suite_name=name, suite_file=suite, suite_format=fmt)
    proper(lambda: evaluation.RunSuite(run, metadata=metadata, timeout=30))
    score = evaluation_pb2.ScoreAnswerRequest(tenant_id=tenant_id, question=question, answer=answer, contexts=contexts)
    proper(lambda: evaluation.ScoreAnswer(score, metadata=metadata, timeout=30))
    lookup = evaluation_pb2.GetAnswerScoreRequest(tenant_id=tenant_id, answer_id=answer_id)
    proper(lambda: evaluation.GetAnswerScore(lookup, metadata=metadata, timeout=30))
    drift = evaluation_pb2.GetDriftStateRequest(tenant_id=tenant_id)
    proper(lambda: evaluation.GetDriftState(drift, metadata=metadata, timeout=30))
    reset = evaluation_pb2.ResetDriftRequest(tenant_id=tenant_id, relearn=bool(len(name) % 2))
    proper(lambda: evaluation.ResetDrift(reset, metadata=metadata, timeout=30))
    review = evaluation_pb2.ListReviewAnswersRequest(tenant_id=tenant_id, page_size=len(answer) % 130)
    proper(lambda: evaluation.ListReviewAnswers(review, metadata=metadata, timeout=30))
    gaps = evaluation_pb2.GetKnowledgeGapsRequest(tenant_id=tenant_id, max_questions=len(question) * 97 % 4000)
    proper(lambda: evaluation.GetKnowledgeGaps(gaps, metadata=metadata, timeout=30))
