"""`python -m llmops_stack.search_tuning`: the HNSW ef_search and the full-text plan, by measured recall and latency.

One run on an isolated stack (``.llmops/search-tuning``, ports from 18000): the peer bench's corpus
(copies of corpus/acme and corpus/field/docs, ≥ 5,000 chunks) synced through the platform, then the
golden and field questions, embedded by the platform's embedding service, split in two halves with a
fixed seed. Against the stack's PostgreSQL, with the chunk store's own statements:

- recall: each ef_search's HNSW answer (iterative scan on, as the service runs it) against the exact
  answer of the same statement with index scans off. Copies of a chunk share one vector, so a hit
  counts when its distance is within the exact k-th distance (ties are equally right answers);
- latency: the vector SELECT alone, rounds alternating the order of the values; and retrieval's Search
  over gRPC with the service restarted per value (it includes embedding the query);
- full text: EXPLAIN (ANALYZE, BUFFERS) of the text search on every question, with its GIN index and
  with index scans off.

The rule, fixed before the run: the smallest ef_search whose recall on the tuning half is ≥ 0.99 at every
k (the query service's top-k, 10, and the candidates each list gives the fusion); the held-out half is
reported, not used. Written between this section's markers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from llmops.retrieval.v1 import retrieval_pb2
from llmops_core.embedding_client import EmbeddingClient
from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens
from llmops_ingestion.settings import IngestionSettings
from llmops_query.settings import QuerySettings
from llmops_retrieval.adapters.chunk_store import COLUMNS, HNSW_SETTINGS, TEXT_SEARCH, VECTOR_SEARCH
from llmops_retrieval.domain.ranking import text_query
from llmops_retrieval.domain.search import SearchQuery
from llmops_retrieval.settings import RetrievalSettings
from llmops_stack.bench import write_report
from llmops_stack.client import PlatformClient
from llmops_stack.components import ComponentError
from llmops_stack.config import StackSettings
from llmops_stack.credentials import act_as_platform
from llmops_stack.ingest_bench import build_corpus, chunks_of, source_files
from llmops_stack.peer_bench import all_questions
from llmops_stack.services import target
from llmops_stack.stack import SUPERVISOR, Stack

TUNING_STACK = StackSettings.isolated("search-tuning", port_base=18000, with_services=True)
BEGIN, END = "<!-- bench:search:begin -->", "<!-- bench:search:end -->"
TENANT = "tuning"
MIN_CHUNKS = 5000
EF_SEARCH = (10, 20, 40, 64, 100, 200)
SEED = 33
RECALL_GOAL = 0.99
TIE = 1e-6
TOP_K = QuerySettings().default_top_k
CANDIDATES = SearchQuery(TENANT, "", TOP_K, None).candidates  # the LIMIT of each list the service fuses
KS = tuple(sorted({TOP_K, 10, CANDIDATES}))
RETRIEVAL = RetrievalSettings()
VECTOR_SQL = VECTOR_SEARCH.format(columns=COLUMNS, table=f"{RETRIEVAL.schema_name}.chunks")
SERVICE_PLAN = "the planner's choice (as the service runs it)"
TEXT_SQL = TEXT_SEARCH.format(columns=COLUMNS, schema=RETRIEVAL.schema_name)
INDEX_OFF = ["SET LOCAL enable_indexscan = off", "SET LOCAL enable_bitmapscan = off"]
Setup = Sequence[tuple[str, tuple[str, ...]]]


def p(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def vector_params(vector: list[float]) -> tuple[Any, ...]:
    embedding = np.asarray(vector, dtype=np.float32)
    model = RETRIEVAL.embedding_model
    return (embedding, TENANT, "{}", model, model, embedding, CANDIDATES)


def run(connection: psycopg.Connection, setup: Setup, sql: str, params: tuple[Any, ...]) -> tuple[list[Any], float]:
    """Rows of ``sql`` in a transaction after ``setup``, and the milliseconds of the statement alone. With the
    index off it is never prepared: a cached plan ignores enable_*, so exact runs would reuse the HNSW plan."""
    with connection.transaction():
        for statement, arguments in setup:
            connection.execute(statement, arguments or None)
        began = time.perf_counter()
        rows = connection.execute(sql, params, prepare=False if setup == index_off() else None).fetchall()
        return rows, (time.perf_counter() - began) * 1000


def index_off() -> Setup:
    """The same statement without the HNSW or GIN index: the exact answer, or a sequential scan."""
    return [(statement, ()) for statement in INDEX_OFF]


def distances(rows: list[Any]) -> list[float]:
    return [1 - float(row[9]) for row in rows]


def recall(found: list[float], truth: list[float], k: int) -> float:
    """Share of the first k rows returned that are within the exact k-th distance."""
    return sum(d <= truth[k - 1] + TIE for d in found[:k]) / k


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def plan_text(connection: psycopg.Connection, setup: Setup, sql: str, params: tuple[Any, ...]) -> str:
    rows, _ = run(connection, setup, f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
    return "\n".join(str(row[0]) for row in rows)


def split(count: int) -> dict[str, list[int]]:
    order = list(range(count))
    random.Random(SEED).shuffle(order)
    return {"tuning": sorted(order[: count // 2]), "held-out": sorted(order[count // 2 :])}


async def embed(settings: StackSettings, texts: list[str]) -> list[list[float]]:
    act_as_platform(settings)  # Embed takes service tokens, as retrieval's own client sends
    client = EmbeddingClient(target(settings, "embedding"))
    try:
        return await client.embed(texts)
    finally:
        await client.close()


def ingest(stack: Stack, client: PlatformClient, copies: int | None) -> tuple[int, float]:
    policy = ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path))
    per_copy = sum(len(chunks_of(path, policy)) for path, _ in source_files())
    copies = copies or math.ceil(MIN_CHUNKS / per_copy)
    folder = stack.settings.state_dir / "corpus"
    build_corpus(folder, copies)
    began = time.perf_counter()
    client.sync(TENANT, folder)
    stats = client.wait_indexed(TENANT, timeout=1800)
    if stats.chunks != per_copy * copies or stats.pending_documents:
        raise RuntimeError(f"{stats.chunks} of {per_copy * copies} chunks searchable; see {stack.settings.state_dir}")
    return stats.chunks, time.perf_counter() - began


def vector_side(connection: psycopg.Connection, vectors: list[list[float]], rounds: int) -> dict[str, Any]:
    """Recall and SQL latency per ef_search (and of the exact statement), per question."""
    configs: dict[str, Setup] = {str(ef): [(HNSW_SETTINGS, (str(ef),))] for ef in EF_SEARCH} | {"exact": index_off()}
    truth = [distances(run(connection, index_off(), VECTOR_SQL, vector_params(v))[0]) for v in vectors]
    found = {name: [distances(run(connection, s, VECTOR_SQL, vector_params(v))[0]) for v in vectors]
             for name, s in configs.items()}  # fmt: skip
    latency: dict[str, list[list[float]]] = {name: [[] for _ in vectors] for name in configs}
    for round_ in range(rounds):
        order = list(configs) if round_ % 2 == 0 else list(reversed(configs))
        for name in order:
            for i, vector in enumerate(vectors):
                latency[name][i].append(run(connection, configs[name], VECTOR_SQL, vector_params(vector))[1])
    recalls = {name: [[recall(f, t, k) for k in KS] for f, t in zip(found[name], truth, strict=True)]
               for name in configs}  # fmt: skip
    plans = {name: plan_text(connection, configs[name], VECTOR_SQL, vector_params(vectors[0]))
             for name in ("40", "exact")}  # fmt: skip
    if "chunks_embedding_hnsw" not in plans["40"] or "hnsw" in plans["exact"]:
        raise RuntimeError("HNSW must scan the index and exact must not:\n" + "\n".join(plans.values()))
    return {"recall": recalls, "latency": latency, "plans": plans}


def text_side(connection: psycopg.Connection, questions: list[str], rounds: int) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the text search per question, with the GIN index and with index scans off."""
    tsqueries = [q for q in (text_query(text) for text in questions) if q]
    sides: dict[str, Setup] = {SERVICE_PLAN: [], "index scans off (seq scan)": index_off()}
    found: dict[str, Any] = {}
    for name, setup in sides.items():
        times, matched, gin = [], [], 0
        for round_ in range(rounds):
            for tsquery in tsqueries:
                explained = f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {TEXT_SQL}"
                plan = run(connection, setup, explained, (tsquery, TENANT, "{}", CANDIDATES))[0][0][0][0]
                times.append(float(plan["Execution Time"]))
                nodes = list(plan_nodes(plan["Plan"]))
                if round_ == 0:
                    gin += any(n.get("Index Name") == "chunks_search_text" for n in nodes)
                    scans = [n for n in nodes if n["Node Type"] in ("Bitmap Heap Scan", "Seq Scan")]
                    matched.append(sum(int(n["Actual Rows"]) for n in scans))
        found[name] = {"times": times, "matched": matched, "gin": gin, "queries": len(tsqueries)}
    params = [(tsquery, TENANT, "{}", CANDIDATES) for tsquery in tsqueries] * rounds
    found[SERVICE_PLAN]["wall"] = [run(connection, [], TEXT_SQL, values)[1] for values in params]
    found["plan"] = plan_text(connection, [], TEXT_SQL, (tsqueries[0], TENANT, "{}", CANDIDATES))
    return found


def end_to_end(stack: Stack, client: PlatformClient, questions: list[str], passes: int) -> dict[int, list[float]]:
    """Search over gRPC with retrieval restarted per ef_search (the supervisor is stopped first)."""
    stack.table.stop(SUPERVISOR)
    retrieval = next(c for c in stack.components if c.name == "retrieval")
    metadata = client.auth(TENANT)
    latency: dict[int, list[float]] = {}
    for ef in EF_SEARCH:
        os.environ["LLMOPS_RETRIEVAL_HNSW_EF_SEARCH"] = str(ef)  # service processes inherit this environment
        stack.table.stop(retrieval.name, retrieval.stop_signal)
        try:
            stack.start(retrieval)
        except ComponentError as error:  # seen once: its consumer never rejoined the group after fast restarts
            print(f"Search over gRPC stopped at ef_search {ef}: {str(error).splitlines()[0]}")
            break

        def search(question: str, ready: bool = False) -> None:
            request = retrieval_pb2.SearchRequest(tenant_id=TENANT, query=question, top_k=TOP_K)
            client.retrieval.Search(request, timeout=60, metadata=metadata, wait_for_ready=ready)

        for question in questions[:10]:  # warm-up: connections, pool, first plans
            search(question, ready=True)
        latency[ef] = []
        for question in questions * passes:
            began = time.perf_counter()
            search(question)
            latency[ef].append((time.perf_counter() - began) * 1000)
        print(f"Search over gRPC, ef_search {ef}: p50 {p(latency[ef], 50):.1f} ms, p99 {p(latency[ef], 99):.1f} ms")
    os.environ.pop("LLMOPS_RETRIEVAL_HNSW_EF_SEARCH", None)
    return latency


def measure(copies: int | None, rounds: int, passes: int) -> dict[str, Any]:
    shutil.rmtree(TUNING_STACK.state_dir, ignore_errors=True)
    questions = [q for q, _ in all_questions()]
    stack = Stack(TUNING_STACK)
    try:
        stack.up()
        client = PlatformClient(TUNING_STACK)
        chunks, ingest_seconds = ingest(stack, client, copies)
        print(f"ingested {chunks} chunks in {ingest_seconds:.0f} s")
        vectors = asyncio.run(embed(TUNING_STACK, questions))
        with psycopg.connect(TUNING_STACK.postgres_conninfo(), autocommit=True) as connection:
            register_vector(connection)
            found: dict[str, Any] = {"chunks": chunks, "questions": len(questions), "rounds": rounds, "e2e": {}}
            found["distinct"], found["versions"] = connection.execute(
                f"""SELECT (SELECT count(DISTINCT embedding::text) FROM {RETRIEVAL.schema_name}.chunks),
                        (SELECT extversion FROM pg_extension WHERE extname = 'vector') || ', PostgreSQL '
                        || current_setting('server_version')"""
            ).fetchone() or (0, "?")
            found["vector"] = vector_side(connection, vectors, rounds)
            found["text"] = text_side(connection, questions, 3)
        print(render(found), flush=True)  # kept in the log if the gRPC part fails
        if passes:
            found["e2e"], found["passes"] = end_to_end(stack, client, questions, passes), passes
        client.close()
    finally:
        stack.down()
    return found


def chosen(r: dict[str, Any], halves: dict[str, list[int]]) -> int:
    """The rule: the smallest ef_search with tuning recall ≥ RECALL_GOAL at every k, else the largest."""
    for ef in EF_SEARCH:
        per_question = r["vector"]["recall"][str(ef)]
        if all(np.mean([per_question[i][j] for i in halves["tuning"]]) >= RECALL_GOAL for j in range(len(KS))):
            return ef
    return EF_SEARCH[-1]


def render(r: dict[str, Any]) -> str:
    halves = split(r["questions"])
    vector, text = r["vector"], r["text"]
    lines = [BEGIN, "## HNSW ef_search and the full-text plan (decision 0033)", ""]
    lines += [
        f"Measured by `python -m llmops_stack.search_tuning` on {time.strftime('%Y-%m-%d')} (2 cores, shared)."
        f" {r['chunks']} chunks of one tenant ({r['distinct']} distinct vectors: the corpus is copies), pgvector"
        f" {r['versions']}, index defaults (m 16, ef_construction 64),"
        f" iterative scan relaxed_order. {r['questions']} questions split by seed {SEED}; recall of the first k"
        f" of the {CANDIDATES} rows the service asks for against the exact answer (ties count); SQL latency of the"
        f" vector SELECT alone, {r['rounds']} rounds. Chosen by the rule: **ef_search = {chosen(r, halves)}**.",
        "",
    ]
    for half, members in halves.items():
        header = " | ".join(f"recall@{k}" for k in KS)
        lines += [f"{half} half ({len(members)} questions):", "", f"| ef_search | {header} | SQL p50 ms | p99 ms |",
                  "|---|" + "---:|" * (len(KS) + 2)]  # fmt: skip
        for name in [*map(str, EF_SEARCH), "exact"]:
            recalls = [np.mean([vector["recall"][name][i][j] for i in members]) for j in range(len(KS))]
            times = [t for i in members for t in vector["latency"][name][i]]
            cells = " | ".join(f"{x:.3f}" for x in recalls)
            lines.append(f"| {name} | {cells} | {p(times, 50):.2f} | {p(times, 99):.2f} |")
        lines.append("")
    if r["e2e"]:
        lines += [f"Search over gRPC (all questions × {r['passes']}, retrieval restarted per value):", "",
                  "| ef_search | p50 ms | p99 ms |", "|---|---:|---:|"]  # fmt: skip
        lines += [f"| {ef} | {p(t, 50):.1f} | {p(t, 99):.1f} |" for ef, t in r["e2e"].items()] + [""]
    wall = text[SERVICE_PLAN]["wall"]
    lines += [f"Full text (EXPLAIN ANALYZE execution time, every question's query × 3; the statement itself, prepared"
              f" as in the service: p50 {p(wall, 50):.2f} ms, p99 {p(wall, 99):.2f} ms):", "",
              "| plan | queries using the GIN index | rows matched p50 / max | p50 ms | p99 ms |",
              "|---|---:|---:|---:|---:|"]  # fmt: skip
    for name in (SERVICE_PLAN, "index scans off (seq scan)"):
        side = text[name]
        lines.append(
            f"| {name} | {side['gin']} of {side['queries']} | {p(side['matched'], 50):.0f} /"
            f" {max(side['matched'])} | {p(side['times'], 50):.2f} | {p(side['times'], 99):.2f} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--copies", type=int, default=None, help=f"corpus copies (default: {MIN_CHUNKS}+ chunks)")
    parser.add_argument("--rounds", type=int, default=5, help="SQL latency rounds over every question")
    parser.add_argument("--passes", type=int, default=3, help="gRPC Search passes per value (0: skip)")
    parser.add_argument("--no-write", action="store_true", help="print only (smoke runs)")
    args = parser.parse_args()
    results = measure(args.copies, args.rounds, args.passes)
    section = render(results)
    print(section)
    print("\nplans:\n" + "\n\n".join([*results["vector"]["plans"].values(), results["text"]["plan"]]))
    if not args.no_write:
        write_report(section, begin=BEGIN, end=END)
    print(json.dumps({"chosen": chosen(results, split(results["questions"]))}))


if __name__ == "__main__":
    main()
