"""`python -m llmops_stack.routing_bench`: what the route policy and the semantic cache cost, on the real stack.

Three runs, each on a fresh isolated stack (``.llmops/routing-bench``, ports from 16000) with the sample
corpus ingested, replaying one question log: the answerable golden questions, each asked three times in a
seeded shuffle (so every question repeats, as in a support queue):

- small first, then large, semantic cache on;
- small first, then large, cache off;
- large only (the local stack's policy, decision 0038), cache off.

For each: answers, the route that answered, escalations, cache hits, latency p50/p95, and the tokens
every answer spent (escalated drafts included). Both local routes are self-hosted (small: SmolLM2-135M,
large: Qwen2.5-Coder-0.5B) and cost nothing, so the cost
per 1,000 answers is also shown at list prices of a hosted pair (gpt-4o-mini as the small route, gpt-4o
as the large one, USD per million tokens): a what-if on the measured tokens, labelled as such.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from dataclasses import dataclass, field

from rich.console import Console

from llmops_stack.bench import write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import StackSettings
from llmops_stack.demo import ingest_corpus, load_golden
from llmops_stack.stack import Stack

BENCH_STACK = StackSettings.isolated("routing-bench", port_base=16000, with_services=True)
BEGIN, END = "<!-- bench:routing:begin -->", "<!-- bench:routing:end -->"
REPEATS = 3
# What-if list prices (USD per million input / output tokens) applied to the measured tokens.
HOSTED = {"small": ("gpt-4o-mini", 0.15, 0.60), "large": ("gpt-4o", 2.50, 10.00)}


@dataclass
class Run:
    label: str
    answers: int = 0
    answered: int = 0
    routes: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    cache_hits: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    hit_latencies_ms: list[float] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    platform_cost_usd: float = 0.0
    hosted_cost_usd: float = 0.0

    def per_thousand(self, value: float) -> float:
        return 1000 * value / self.answers if self.answers else 0.0


def question_log() -> list[str]:
    questions = [q["question"] for q in load_golden()["questions"] if q["expect"] == "answered"]
    log = questions * REPEATS
    random.Random(7).shuffle(log)
    return log


def replay(label: str, routes: list[str], cache: bool, console: Console) -> Run:
    os.environ["LLMOPS_QUERY_GENERATION_ROUTES"] = json.dumps(routes)
    os.environ["LLMOPS_QUERY_ANSWER_CACHE_ENABLED"] = "true" if cache else "false"
    stack = Stack(BENCH_STACK)
    stack.down()
    stack.up()
    client = PlatformClient(BENCH_STACK)
    tenant = load_golden()["tenant"]
    run = Run(label)
    try:
        ingest_corpus(client, BENCH_STACK, tenant, console)
        for question in question_log():
            started = time.perf_counter()
            answer = client.ask(tenant, question)
            elapsed = (time.perf_counter() - started) * 1000
            run.answers += 1
            run.latencies_ms.append(elapsed)
            run.answered += answer.status == 1
            route = answer.route or ("cache" if answer.cache_hit else "extractive or none")
            run.routes[route] = run.routes.get(route, 0) + 1
            run.escalated += " draft failed" in answer.outcome_reason or " timed out" in answer.outcome_reason
            if answer.cache_hit:
                run.cache_hits += 1
                run.hit_latencies_ms.append(elapsed)
            run.input_tokens += answer.usage.input_tokens
            run.output_tokens += answer.usage.output_tokens
            run.platform_cost_usd += answer.cost_usd
            # The hosted what-if prices each answer's tokens at its kept route (escalated drafts at the
            # small route's price would be cheaper; pricing them all at the answering route is an upper bound).
            _, price_in, price_out = (
                HOSTED.get(answer.route, HOSTED["large"]) if answer.usage.input_tokens else ("", 0, 0)
            )
            run.hosted_cost_usd += (answer.usage.input_tokens * price_in + answer.usage.output_tokens * price_out) / 1e6
        console.print(f"{label}: {run}")
        return run
    finally:
        client.close()
        stack.down()


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def render(runs: list[Run]) -> str:
    lines = [
        BEGIN,
        "## Routes and the semantic cache on the real stack (`python -m llmops_stack.routing_bench`)",
        "",
        f"The answerable golden questions, each asked {REPEATS} times in a seeded shuffle, on a fresh stack per run"
        " (small: SmolLM2-135M, large: Qwen2.5-Coder-0.5B, each on its own llama.cpp server). Tokens count every"
        " draft an answer wrote.",
        "",
        "| policy | answers | answered | routes that answered | drafts rejected (escalated or fell back)"
        " | cache hits | p50 / p95 ms | hit p50 ms"
        " | tokens in / out per answer | platform cost / 1k answers | at hosted prices / 1k answers |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        routes = ", ".join(f"{k} {v}" for k, v in sorted(r.routes.items()))
        hit = f"{statistics.median(r.hit_latencies_ms):.0f}" if r.hit_latencies_ms else "–"
        lines.append(
            f"| {r.label} | {r.answers} | {r.answered} | {routes} | {r.escalated} | {r.cache_hits}"
            f" | {_p(r.latencies_ms, 0.5):.0f} / {_p(r.latencies_ms, 0.95):.0f} | {hit}"
            f" | {r.input_tokens / max(1, r.answers):.0f} / {r.output_tokens / max(1, r.answers):.0f}"
            f" | ${r.per_thousand(r.platform_cost_usd):.2f} | ${r.per_thousand(r.hosted_cost_usd):.2f} |"
        )
    small, large = HOSTED["small"], HOSTED["large"]
    lines += ["", *saved_by_cache(runs), *escalation_outcome(runs)]
    lines += [
        "",
        f"Hosted what-if prices: small = {small[0]} (${small[1]} / ${small[2]} per million input / output tokens),"
        f" large = {large[0]} (${large[1]} / ${large[2]}), every draft priced at the route that kept the answer (an"
        " upper bound for escalated answers). The platform's own cost is $0: both local routes are self-hosted.",
        END,
    ]
    return "\n".join(lines)


def saved_by_cache(runs: list[Run]) -> list[str]:
    """Latency the cache saved, from hits and misses of the same run (the pgvector lookup included)."""
    lines = []
    for r in runs:
        if not r.hit_latencies_ms:
            continue
        misses = list(r.latencies_ms)
        for hit in r.hit_latencies_ms:
            misses.remove(hit)
        hit_p50, miss_p50 = statistics.median(r.hit_latencies_ms), statistics.median(misses)
        rate = len(r.hit_latencies_ms) / r.answers
        lines.append(
            f"{r.label}: {len(r.hit_latencies_ms)}/{r.answers} hits ({rate:.0%}); a hit answered in p50"
            f" {hit_p50:.0f} ms (embedding, pgvector lookup and the guard) against {miss_p50:.0f} ms for a miss in"
            f" the same run: {miss_p50 - hit_p50:.0f} ms saved per hit, {rate * (miss_p50 - hit_p50):.0f} ms per"
            " question on this log."
        )
    return lines


def escalation_outcome(runs: list[Run]) -> list[str]:
    """Whether small-first paid off: how often the large route kept an answer after the small one failed."""
    lines = []
    for r in runs:
        if "small" in r.label and "large" in r.label:
            rescued = r.routes.get("large", 0)
            lines.append(
                f"{r.label}: the large route kept {rescued} of the {r.escalated} answers whose draft was rejected"
                " (the rest fell back to a quoted answer or none)."
            )
    return lines


def main() -> None:
    console = Console()
    runs = [
        replay("small → large, cache on", ["small", "large"], True, console),
        replay("small → large, no cache", ["small", "large"], False, console),
        replay("large only, no cache", ["large"], False, console),
    ]
    section = render(runs)
    write_report(section, begin=BEGIN, end=END)
    console.print(section)


if __name__ == "__main__":
    main()
