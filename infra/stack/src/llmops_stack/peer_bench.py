"""`python -m llmops_stack.peer_bench`: the platform side by side with a LangChain pipeline (issue 11).

One run, on an isolated stack (``.llmops/peer-bench``, ports from 11000), over one corpus (copies of
corpus/acme and corpus/field/docs in distinct folders, ≥ 5,000 chunks unless ``--copies`` or
``LLMOPS_PEER_BENCH_COPIES`` shrinks it for a smoke run) and the same chunk texts on both sides:

- platform: SyncSource until retrieval serves every chunk; retrieval's Search gRPC (no generation);
  Ask on the questions that end without a model call (abstained or refused), as the query overhead;
- LangChain: ``langchain-postgres`` PGVector in a database of its own on the stack's PostgreSQL, with
  all-MiniLM-L6-v2 in process (sentence-transformers, batch 32): add_texts, similarity_search;
- raw model: sentence-transformers encode of the same chunks, batch 32.

Query phases alternate between the two sides round by round. Written between this section's markers
in docs/benchmarks.md; tests never assert on time.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import psutil
import psycopg
import sqlalchemy
import yaml

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.grpc_client import balanced_channel
from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens
from llmops_ingestion.settings import IngestionSettings
from llmops_query.settings import QuerySettings
from llmops_stack.bench import write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.demo import load_golden
from llmops_stack.ingest_bench import build_corpus, chunks_of, cpu_mark, other_cores, source_files
from llmops_stack.models import packaged_model_dir
from llmops_stack.services import target
from llmops_stack.stack import Stack

if TYPE_CHECKING:
    from langchain_postgres import PGVector
    from sentence_transformers import SentenceTransformer

BENCH_STACK = StackSettings.isolated("peer-bench", port_base=11000, with_services=True)
BEGIN, END = "<!-- bench:peer:begin -->", "<!-- bench:peer:end -->"
MIN_CHUNKS = 5000
BATCH = 32  # the embedding service's batch, and the usual sentence-transformers one
TENANT = "peer"
LANGCHAIN_DATABASE = "peer_langchain"
FIELD_QUESTIONS = REPO_ROOT / "corpus" / "field" / "questions.yaml"
CLIENTS = (1, 8)
# Each gRPC channel its own connection: 8 clients are 8 apps, not 8 streams on one shared subchannel.
OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]
VERSIONS = ("langchain-postgres", "langchain-core", "sentence-transformers", "torch", "pgvector", "SQLAlchemy")


@dataclass(frozen=True)
class Load:
    clients: int
    latencies_ms: list[float]
    seconds: float

    def p(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")

    @property
    def qps(self) -> float:
        return len(self.latencies_ms) / self.seconds


def merged(loads: list[Load]) -> Load:
    """Rounds of one phase as one sample (latencies pooled, seconds summed)."""
    return Load(loads[0].clients, [x for load in loads for x in load.latencies_ms], sum(x.seconds for x in loads))


def run_load(calls: Sequence[Callable[[str], object]], questions: list[str], passes: int) -> Load:
    """One thread per call; each asks every question ``passes`` times from its own offset, all at once."""
    latencies: list[list[float]] = [[] for _ in calls]
    start = threading.Barrier(len(calls) + 1)

    def client(index: int) -> None:
        shifted = questions[index % len(questions) :] + questions[: index % len(questions)]
        start.wait()
        for question in shifted * passes:
            began = time.perf_counter()
            calls[index](question)
            latencies[index].append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(len(calls), [x for own in latencies for x in own], time.perf_counter() - began)


def all_questions() -> list[tuple[str, str]]:
    """(question, expected outcome) of the golden set and the field corpus."""
    asked = list(load_golden()["questions"])
    if FIELD_QUESTIONS.exists():
        asked += yaml.safe_load(FIELD_QUESTIONS.read_text(encoding="utf-8"))["questions"]
    return [(str(q["question"]), str(q["expect"])) for q in asked]


def sentence_model() -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged model only; nothing from a hub
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(packaged_model_dir()), device="cpu")


def langchain_embeddings(model: SentenceTransformer) -> Any:
    """all-MiniLM-L6-v2 in process behind LangChain's Embeddings interface (what HuggingFaceEmbeddings does)."""
    from langchain_core.embeddings import Embeddings

    class InProcess(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            vectors = model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
            return [[float(x) for x in row] for row in np.asarray(vectors)]

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    return InProcess()


def langchain_store(settings: StackSettings, model: SentenceTransformer) -> tuple[PGVector, sqlalchemy.Engine]:
    """A fresh database of its own on the stack's PostgreSQL, and a PGVector collection in it."""
    from langchain_postgres import PGVector

    with psycopg.connect(settings.postgres_conninfo("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{LANGCHAIN_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{LANGCHAIN_DATABASE}"')
    url = f"postgresql+psycopg://postgres@{settings.host}:{settings.postgres_port}/{LANGCHAIN_DATABASE}"
    engine = sqlalchemy.create_engine(url, pool_size=max(CLIENTS) + 2)
    store = PGVector(langchain_embeddings(model), connection=engine, collection_name=TENANT, embedding_length=384)
    return store, engine


@dataclass(frozen=True)
class Ingest:
    chunks: int
    seconds: float
    other_cores: float

    @property
    def rate(self) -> float:
        return self.chunks / self.seconds


@dataclass
class Results:
    copies: int
    files: int
    chunk_seconds: float  # the platform's chunker over the corpus, in this process
    top_k: int
    passes: int
    rounds: int
    platform: Ingest
    langchain: Ingest
    raw: Ingest
    search: dict[tuple[str, int], Load]  # (side, clients) -> pooled rounds
    ask: dict[int, Load]
    ask_kept: Counter[str]  # outcome -> questions asked in the Ask phase (no model call)
    ask_dropped: int  # abstained/refused-expected questions that did call the model
    versions: dict[str, str]


def timed(stack: Stack, chunks: int, work: Callable[[], object]) -> Ingest:
    mark = cpu_mark(stack)
    began = time.perf_counter()
    work()
    return Ingest(chunks, time.perf_counter() - began, other_cores(stack, mark))


def platform_ingest(stack: Stack, client: PlatformClient, folder: Path, chunks: int) -> Ingest:
    def sync() -> None:
        client.sync(TENANT, folder)
        stats = client.wait_indexed(TENANT, timeout=1800)
        if stats.chunks != chunks or stats.pending_documents:
            raise RuntimeError(f"{stats.chunks} of {chunks} chunks searchable; see {stack.settings.state_dir}/logs")

    return timed(stack, chunks, sync)


def searchers(client: PlatformClient, settings: StackSettings, top_k: int) -> list[Callable[[str], object]]:
    metadata = client.auth(TENANT)
    calls: list[Callable[[str], object]] = []
    for _ in range(max(CLIENTS)):
        stub = retrieval_pb2_grpc.RetrievalServiceStub(balanced_channel(target(settings, "retrieval"), OWN_CONNECTION))

        def search(question: str, stub: Any = stub) -> object:
            request = retrieval_pb2.SearchRequest(tenant_id=TENANT, query=question, top_k=top_k)
            return stub.Search(request, timeout=60, metadata=metadata)

        calls.append(search)
    return calls


def askers(client: PlatformClient, settings: StackSettings) -> list[Callable[[str], query_pb2.AskResponse]]:
    metadata = client.auth(TENANT)
    calls: list[Callable[[str], query_pb2.AskResponse]] = []
    for _ in range(max(CLIENTS)):
        stub = query_pb2_grpc.QueryServiceStub(balanced_channel(target(settings, "query"), OWN_CONNECTION))

        def ask(question: str, stub: Any = stub) -> query_pb2.AskResponse:
            response: query_pb2.AskResponse = stub.Ask(
                query_pb2.AskRequest(tenant_id=TENANT, question=question), timeout=180, metadata=metadata
            )
            return response

        calls.append(ask)
    return calls


def no_model_questions(ask: Callable[[str], query_pb2.AskResponse]) -> tuple[list[str], Counter[str], int]:
    """The abstained/refused-expected questions whose Ask ends without a model call (asked once each)."""
    kept, outcomes, dropped = [], Counter[str](), 0
    for question, expect in all_questions():
        if expect not in ("abstained", "refused"):
            continue
        response = ask(question)
        if response.usage.input_tokens or response.usage.output_tokens or response.route:
            dropped += 1
            continue
        kept.append(question)
        outcomes[query_pb2.AnswerStatus.Name(response.status).removeprefix("ANSWER_STATUS_").lower()] += 1
    return kept, outcomes, dropped


def versions(settings: StackSettings) -> dict[str, str]:
    found = {name: importlib.metadata.version(name) for name in VERSIONS}
    found["pgvector"] += " (Python)"
    with psycopg.connect(settings.postgres_conninfo(LANGCHAIN_DATABASE)) as connection:
        row = connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        server = connection.execute("SHOW server_version").fetchone()
    found["pgvector extension"] = str(row[0]) if row else "?"
    found["PostgreSQL"] = str(server[0]) if server else "?"
    return found


def measure(copies: int | None, passes: int, rounds: int) -> Results:
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)
    began = time.perf_counter()
    policy = ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path))
    per_copy = {relative: chunks_of(path, policy) for path, relative in source_files()}
    chunk_seconds_per_copy = time.perf_counter() - began
    copies = copies or math.ceil(MIN_CHUNKS / sum(len(c) for c in per_copy.values()))
    texts = [text for _ in range(copies) for chunks in per_copy.values() for _, text in chunks]
    top_k = QuerySettings().default_top_k
    questions = [q for q, _ in all_questions()]
    stack = Stack(BENCH_STACK)
    try:
        stack.up()
        client = PlatformClient(BENCH_STACK)
        folder = BENCH_STACK.state_dir / "corpus"
        build_corpus(folder, copies)
        platform = platform_ingest(stack, client, folder, len(texts))
        print(f"platform ingest: {len(texts)} chunks in {platform.seconds:.1f} s")
        model = sentence_model()
        model.encode(texts[:BATCH], batch_size=BATCH)  # warm-up: first-call allocations are not the model's speed
        raw = timed(stack, len(texts), lambda: model.encode(texts, batch_size=BATCH, normalize_embeddings=True))
        print(f"raw model: {raw.rate:.1f} chunks/s")
        store, engine = langchain_store(BENCH_STACK, model)
        metadatas = [{"document": r.as_posix(), "copy": str(c)} for c in range(copies) for r, ch in per_copy.items()
                     for _ in ch]  # fmt: skip
        langchain = timed(stack, len(texts), lambda: store.add_texts(texts, metadatas=metadatas))
        print(f"LangChain add_texts: {langchain.rate:.1f} chunks/s")

        sides: dict[str, list[Callable[[str], object]]] = {
            "platform": list(searchers(client, BENCH_STACK, top_k)),
            "langchain": [lambda q: store.similarity_search(q, k=top_k)] * max(CLIENTS),
        }
        for calls in sides.values():
            run_load(calls[:1], questions[:10], 1)  # warm-up: connections, caches, first query plans
        search: dict[tuple[str, int], list[Load]] = {}
        for round_ in range(rounds):
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for clients in CLIENTS:
                for side in order:
                    load = run_load(sides[side][:clients], questions, passes)
                    search.setdefault((side, clients), []).append(load)
                    print(f"round {round_ + 1} search {side} x{clients}: p50 {load.p(50):.1f} ms, {load.qps:.1f} qps")

        asks = askers(client, BENCH_STACK)
        kept, outcomes, dropped = no_model_questions(asks[0])  # also the Ask path's warm-up
        ask = {clients: run_load(asks[:clients], kept, passes * rounds) for clients in CLIENTS}
        found = versions(BENCH_STACK)
        engine.dispose()
        client.close()
    finally:
        stack.down()
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)  # kept, with its logs, when a step failed
    return Results(
        copies, len(per_copy) * copies, chunk_seconds_per_copy * copies, top_k, passes, rounds, platform, langchain,
        raw, {key: merged(loads) for key, loads in search.items()}, ask, outcomes, dropped, found,
    )  # fmt: skip


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def goals(r: Results) -> list[str]:
    ask8 = r.ask[8]
    search_ratios = [
        r.search["platform", n].p(q) / r.search["langchain", n].p(q) for n in CLIENTS for q in (50, 99)
    ]  # fmt: skip
    return [
        f"- Ask overhead without a model call at 8 clients, p50 ≤ 15 ms and p99 ≤ 50 ms: {ask8.p(50):.1f} ms /"
        f" {ask8.p(99):.1f} ms, {verdict(ask8.p(50) <= 15 and ask8.p(99) <= 50)}.",
        f"- Ingest ≥ 1.2 × LangChain: {r.platform.rate / r.langchain.rate:.2f} ×,"
        f" {verdict(r.platform.rate >= 1.2 * r.langchain.rate)}.",
        f"- Ingest ≥ 0.9 × the raw model: {r.platform.rate / r.raw.rate:.2f} ×,"
        f" {verdict(r.platform.rate >= 0.9 * r.raw.rate)}.",
        f"- Search latency ≤ 1.0 × LangChain's (p50 and p99, 1 and 8 clients): worst {max(search_ratios):.2f} ×,"
        f" {verdict(max(search_ratios) <= 1.0)}.",
    ]


def render(r: Results, smoke: bool) -> str:
    cpu = f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    chunks = r.platform.chunks
    kept = ", ".join(f"{n} {outcome}" for outcome, n in sorted(r.ask_kept.items()))
    lines = [BEGIN, "## Side by side: the platform, a LangChain pipeline, the raw model (issue 11)", ""]
    if smoke:
        lines += [
            f"**Smoke run ({chunks} chunks, below the {MIN_CHUNKS:,} the benchmark is for): these numbers only show"
            " that the bench works end to end; the full run overwrites them.**",
            "",
        ]
    lines += [
        f"Measured by `make bench` (`python -m llmops_stack.peer_bench`) on {time.strftime('%Y-%m-%d')} ({cpu},"
        f" shared by the stack, this script and other work on the machine). Corpus: {r.copies} copies of corpus/acme"
        f" and corpus/field/docs in distinct folders, {r.files} files, {chunks} chunks; LangChain gets exactly the"
        " chunk texts the platform's chunker cuts. Platform ingest: SyncSource until retrieval serves every chunk."
        f" LangChain ingest: `PGVector.add_texts` (its own database on the stack's PostgreSQL, default settings:"
        f" no vector index, exact cosine scan) with all-MiniLM-L6-v2 in process (sentence-transformers, batch"
        f" {BATCH}); chunking is not in it (the platform's chunker takes {r.chunk_seconds:.1f} s for this corpus in"
        f" process, which would make it {chunks / (r.langchain.seconds + r.chunk_seconds):.1f} chunks/s). Raw:"
        f" sentence-transformers encode of the same chunks, batch {BATCH}. Search: retrieval's Search gRPC (hybrid,"
        f" the service embeds the query) against `similarity_search`, k = {r.top_k} (the query service's default"
        f" top-k), {len(all_questions())} questions (golden set and field corpus) × {r.passes} pass(es) per client,"
        f" {r.rounds} round(s) alternating which side goes first, pooled; each platform client has its own gRPC"
        " connection. Ask: the whole Ask path (guardrails, embedding, retrieval, the decision) on the questions"
        f" that end without a model call ({kept}): the query API has no max-output-tokens field, so a 1-token"
        f" generation could not be asked for; {r.ask_dropped} abstain/refuse-expected question(s) did call the"
        " model and were left out. Other load: average cores used by processes outside this bench and its stack.",
        "",
        "| measure | platform | LangChain | raw model | platform / LangChain | platform / raw |",
        "|---|---:|---:|---:|---:|---:|",
        f"| ingest chunks/s (other load, cores) | {r.platform.rate:.1f} ({r.platform.other_cores:.2f}) |"
        f" {r.langchain.rate:.1f} ({r.langchain.other_cores:.2f}) | {r.raw.rate:.1f} ({r.raw.other_cores:.2f}) |"
        f" {r.platform.rate / r.langchain.rate:.2f} | {r.platform.rate / r.raw.rate:.2f} |",
    ]
    for n in CLIENTS:
        mine, theirs = r.search["platform", n], r.search["langchain", n]
        for label, a, b in (("p50 ms", mine.p(50), theirs.p(50)), ("p99 ms", mine.p(99), theirs.p(99)),
                            ("QPS", mine.qps, theirs.qps)):  # fmt: skip
            lines.append(f"| search {n} client(s) {label} | {a:.1f} | {b:.1f} | | {a / b:.2f} | |")
    for n, load in r.ask.items():
        lines.append(
            f"| Ask without a model call, {n} client(s): p50 / p99 ms, QPS | {load.p(50):.1f} / {load.p(99):.1f},"
            f" {load.qps:.1f} | | | | |"
        )
    lines += ["", "Goals (issue 11), in this run:", "", *goals(r), ""]
    lines += ["Versions: " + ", ".join(f"{k} {v}" for k, v in r.versions.items()) + ".", "", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    copies = int(os.environ.get("LLMOPS_PEER_BENCH_COPIES", "0")) or None
    parser.add_argument("--copies", type=int, default=copies, help=f"corpus copies (default: {MIN_CHUNKS}+ chunks)")
    parser.add_argument("--passes", type=int, default=1, help="times each client asks every question per round")
    parser.add_argument("--rounds", type=int, default=2, help="query rounds, alternating which side goes first")
    args = parser.parse_args()
    results = measure(args.copies, args.passes, args.rounds)
    section = render(results, smoke=results.platform.chunks < MIN_CHUNKS)
    write_report(section, begin=BEGIN, end=END)
    print(section)
    print(f"written to {(REPO_ROOT / 'docs' / 'benchmarks.md').relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
