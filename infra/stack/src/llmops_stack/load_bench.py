"""`python -m llmops_stack.load_bench` (``make load``): concurrent clients on the whole stack, bounded in time.

On a fresh isolated stack (``.llmops/load-bench``, ports from 12000) with the sample corpus ingested, N
client threads, each with its own gRPC channels, ask for ``--seconds`` a seeded mix of the golden set's
answerable questions, its unanswerable-but-close ones, and attacks (the golden set's refused questions and
the injection items of tests/data/guardrails_labelled.jsonl), with generation on. No client starts a
request after the deadline or past its share of ``--max-requests``; the stack is stopped in every case.

Scoring lag stands in for Kafka consumer lag, which this broker cannot report (Tansu's end offsets are
wrong, see the architecture notes): for every answer, the time from its Ask response here to the
``answers.scored`` event the evaluation service publishes right after it stores the score (the moment
``GetAnswerScore`` can return it; one clock, one machine). Tests never assert on these numbers.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated

import grpc
import psutil
import typer
from aiokafka import AIOKafkaConsumer
from rich.console import Console

from llmops.evaluation.v1.events_pb2 import AnswerScored
from llmops.query.v1 import query_pb2
from llmops_core.topics import ANSWERS_SCORED
from llmops_stack.bench import rss_mib, write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.demo import ingest_corpus, load_golden
from llmops_stack.ingest_bench import cpu_mark, other_cores
from llmops_stack.stack import Stack

BENCH_STACK = StackSettings.isolated("load-bench", port_base=12000, with_services=True)
BEGIN, END = "<!-- bench:load:begin -->", "<!-- bench:load:end -->"
LABELLED = REPO_ROOT / "tests" / "data" / "guardrails_labelled.jsonl"
STAGES = ("guardrails_in", "retrieval", "generation", "verification", "guardrails_out")
# Share of each kind of question in the traffic (a support queue: mostly real questions, some attacks).
MIX = {"answerable": 0.6, "unanswerable": 0.15, "attack": 0.25}
SEED = 11
DRAIN_SECONDS = 120.0  # after the load: how long the scorer may take to catch up before we stop waiting
SCORE_GOAL_SECONDS = 2.0  # p99 answer-to-score at steady state

app = typer.Typer(add_completion=False)


def question_pool() -> dict[str, list[str]]:
    """The questions of each kind, from the golden set's ``expect`` and the labelled injection items."""
    golden = load_golden()["questions"]

    def expected(outcome: str) -> list[str]:
        return [str(q["question"]) for q in golden if q["expect"] == outcome]

    with LABELLED.open(encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines if line.strip()]
    injections = [str(item["text"]) for item in items if item["kind"] == "injection" and item["check"] == "input"]
    return {
        "answerable": expected("answered"),
        "unanswerable": expected("abstained"),
        "attack": expected("refused") + injections,
    }


@dataclass(frozen=True)
class Answer:
    kind: str
    answer_id: str
    status: str
    received_at: float  # wall clock (time.time) when the response arrived: comparable with event timestamps
    seconds: float  # end to end, as the client saw it
    stages: dict[str, float]  # stage -> milliseconds, as the query service measured them


@dataclass
class ClientLog:
    answers: list[Answer] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def drive(
    settings: StackSettings, tenant: str, pool: dict[str, list[str]], seed: int, deadline: float, limit: int
) -> ClientLog:
    """One client: asks until the deadline (monotonic) or ``limit`` requests, whichever comes first."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    client = PlatformClient(settings)  # its own channels: N clients are N connections, as N app replicas
    log = ClientLog()
    try:
        for _ in range(limit):
            if time.monotonic() >= deadline:
                break
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = client.ask(tenant, rng.choice(pool[kind]))
            except grpc.RpcError as error:
                log.errors[error.code().name] += 1  # type: ignore[attr-defined]
                time.sleep(0.1)  # a stack that refuses at once must not be hammered in a tight loop
                continue
            log.answers.append(
                Answer(
                    kind, response.answer_id, query_pb2.AnswerStatus.Name(response.status), time.time(),
                    time.perf_counter() - started, {s.stage: s.milliseconds for s in response.latencies},
                )
            )  # fmt: skip
    finally:
        client.close()
    return log


async def _scored_at(bootstrap: str) -> dict[str, float]:
    """answer id -> earliest ``answers.scored`` occurred_at (seconds); read from the start, no consumer group."""
    consumer = AIOKafkaConsumer(
        ANSWERS_SCORED, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    scored: dict[str, float] = {}
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            for records in batch.values():
                for record in records:
                    event = AnswerScored.FromString(record.value)
                    at = event.envelope.occurred_at.ToNanoseconds() / 1e9
                    # At-least-once: a redelivered answer is scored twice; the first score is when it was available.
                    scored[event.score.answer_id] = min(at, scored.get(event.score.answer_id, at))
    finally:
        await consumer.stop()
    return scored


def wait_scored(settings: StackSettings, answer_ids: set[str]) -> dict[str, float]:
    """Score times of ``answer_ids``, waiting up to DRAIN_SECONDS for the scorer to reach the last one."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        scored = asyncio.run(_scored_at(settings.kafka_bootstrap))
        if answer_ids <= scored.keys() or time.monotonic() > deadline:
            return {a: t for a, t in scored.items() if a in answer_ids}
        time.sleep(2)


def memory(stack: Stack) -> dict[str, float]:
    """RSS (MiB) of every process the stack started, each with its children."""
    return {record.name: rss_mib(stack, record.name) for record in stack.table.all()}


@dataclass(frozen=True)
class Results:
    clients: int
    requested_seconds: float
    warmup: float
    answers: list[Answer]
    errors: Counter[str]
    scored_at: dict[str, float]
    load_start: float  # wall clock (time.time) when the clients started
    load_end: float  # and when the last one finished (its last response)
    memory_before: dict[str, float]
    memory_after: dict[str, float]
    other_cores: float


def measure(clients: int, seconds: float, max_requests: int, console: Console) -> Results:
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)
    stack = Stack(BENCH_STACK)
    try:
        stack.down()
        stack.up()
        tenant, pool = str(load_golden()["tenant"]), question_pool()
        client = PlatformClient(BENCH_STACK)  # ingests, and mints the tenant's key before the clients read it
        ingest_corpus(client, BENCH_STACK, tenant, console)
        client.close()
        before = memory(stack)
        console.print(
            f"{clients} clients for {seconds:.0f} s; pool: " + ", ".join(f"{k} {len(v)}" for k, v in pool.items())
        )
        mark, started = cpu_mark(stack), time.time()
        deadline = time.monotonic() + seconds
        with ThreadPoolExecutor(max_workers=clients) as pool_executor:
            futures = [
                pool_executor.submit(
                    drive, BENCH_STACK, tenant, pool, SEED * 1000 + i, deadline, max(1, max_requests // clients)
                )
                for i in range(clients)
            ]
            logs = [f.result() for f in futures]
        load_end, load_cores = time.time(), other_cores(stack, mark)
        answers = [a for log in logs for a in log.answers]
        console.print(f"{len(answers)} answers; waiting for their scores")
        scored_at = wait_scored(BENCH_STACK, {a.answer_id for a in answers})
        errors: Counter[str] = sum((log.errors for log in logs), Counter())
        results = Results(
            clients, seconds, min(15.0, seconds / 4), answers, errors, scored_at, started, load_end, before,
            memory(stack), load_cores,
        )  # fmt: skip
    finally:
        stack.down()
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)  # kept, with its logs, when a step failed
    return results


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def score_lags(r: Results) -> tuple[list[float], list[float]]:
    """(all, steady state) seconds from Ask response to score; steady state skips the warm-up."""
    scored = [a for a in r.answers if a.answer_id in r.scored_at]
    lags = [max(0.0, r.scored_at[a.answer_id] - a.received_at) for a in scored]
    steady_from = r.load_start + r.warmup
    steady = [lag for a, lag in zip(scored, lags, strict=True) if a.received_at >= steady_from]
    return lags, steady


def render(r: Results, smoke: bool) -> str:
    cpu = f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    wall = r.load_end - r.load_start  # the deadline plus the requests still in flight at it
    e2e = [a.seconds * 1000 for a in r.answers]
    answered = sum(a.status == "ANSWER_STATUS_ANSWERED" for a in r.answers)
    lags, steady = score_lags(r)
    unscored = len(r.answers) - len(r.scored_at)
    behind = sum(t > r.load_end for t in r.scored_at.values())
    drain = max(r.scored_at.values(), default=r.load_end) - r.load_end
    errors = ", ".join(f"{code} {n}" for code, n in r.errors.most_common()) or "none"
    label = " — **smoke run**, not the full load" if smoke else ""
    mix = ", ".join(f"{kind} {share:.0%}" for kind, share in MIX.items())
    lines = [
        BEGIN,
        f"## Load and soak: {r.clients} concurrent clients on the whole stack (`make load`){label}",
        "",
        f"Measured by `python -m llmops_stack.load_bench --clients {r.clients} --seconds {r.requested_seconds:.0f}` on"
        f" {time.strftime('%Y-%m-%d')} ({cpu}; the stack, the clients and other work share them: other processes"
        f" used {r.other_cores:.2f} cores on average during the load). Fresh isolated stack, sample corpus"
        f" ingested, generation on (SmolLM2-135M, routes small → large), semantic cache off (the stack's default)."
        f" Each client has its own gRPC channels and a seeded mix ({mix}):"
        " the golden set's answerable and unanswerable-but-close questions, its refused questions and the"
        " injection items of tests/data/guardrails_labelled.jsonl. The golden set has one unanswerable question,"
        f" so that share repeats it. Rates are over the load's wall, {wall:.1f} s (the deadline, then the"
        " requests in flight at it).",
        "",
        "| requests | errors by gRPC status | responses/s | answered/s | end to end p50 / p99 ms |",
        "|---:|---|---:|---:|---:|",
        f"| {len(r.answers) + sum(r.errors.values())} | {errors} | {len(r.answers) / wall:.2f} |"
        f" {answered / wall:.2f} | {_p(e2e, 0.5):.0f} / {_p(e2e, 0.99):.0f} |",
        "",
        "| kind | responses | answered | abstained | refused | end to end p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        mine = [a for a in r.answers if a.kind == kind]
        count = Counter(a.status.removeprefix("ANSWER_STATUS_").lower() for a in mine)
        ms = [a.seconds * 1000 for a in mine]
        lines.append(
            f"| {kind} | {len(mine)} | {count['answered']} | {count['abstained']} | {count['refused']} |"
            f" {_p(ms, 0.5):.0f} / {_p(ms, 0.99):.0f} |"
        )
    lines += ["", "| stage (query service's own timing) | answers with it | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for stage in STAGES:
        ms = [a.stages[stage] for a in r.answers if stage in a.stages]
        lines.append(f"| {stage} | {len(ms)} | {_p(ms, 0.5):.0f} | {_p(ms, 0.99):.0f} |")
    lines += [
        "",
        f"Answer to score (Ask response → `answers.scored`): all {len(lags)} p50 {_p(lags, 0.5):.2f} s / p99"
        f" {_p(lags, 0.99):.2f} s; steady state (after the first {r.warmup:.0f} s, {len(steady)} answers) p50"
        f" {_p(steady, 0.5):.2f} s / p99 {_p(steady, 0.99):.2f} s. When the load stopped, {behind} answer(s) were"
        f" still waiting for a score (the scorer's lag); the last was scored {max(0.0, drain):.1f} s later;"
        f" {unscored} never within {DRAIN_SECONDS:.0f} s.",
        "",
        "RSS before: the idle stack after the ingest; after: once the scorer caught up (or gave up waiting).",
        "",
        "| process (with its children) | RSS before (MiB) | RSS after (MiB) | growth (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, mib in r.memory_before.items():
        after = r.memory_after.get(name, float("nan"))
        lines.append(f"| {name} | {mib:.0f} | {after:.0f} | {after - mib:+.0f} |")
    total_before, total_after = sum(r.memory_before.values()), sum(r.memory_after.values())
    lines.append(f"| **all** | {total_before:.0f} | {total_after:.0f} | {total_after - total_before:+.0f} |")
    met = _p(steady, 0.99) <= SCORE_GOAL_SECONDS and not unscored
    lines += [
        "",
        f"Goals: errors 0 — {'met' if not r.errors else '**not met**'}; answer-to-score p99 ≤"
        f" {SCORE_GOAL_SECONDS:.0f} s at steady state — {'met' if met else '**not met**'}."
        + (" A smoke run is too short for steady state or memory growth to mean much." if smoke else ""),
        END,
    ]
    return "\n".join(lines)


@app.command()
def main(
    clients: Annotated[int, typer.Option(min=1, max=200, help="Concurrent clients (threads).")] = 20,
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="How long the clients ask.")] = 120,
    max_requests: Annotated[int, typer.Option(min=1, help="Requests in all, at most.")] = 20_000,
) -> None:
    """Drive the stack with concurrent clients; write the load section of docs/benchmarks.md."""
    console = Console()
    results = measure(clients, seconds, max_requests, console)
    # Shorter than the default run: labelled as a smoke run in the report.
    section = render(results, smoke=clients < 20 or seconds < 120)
    write_report(section, begin=BEGIN, end=END)
    console.print(section)


if __name__ == "__main__":
    app()
