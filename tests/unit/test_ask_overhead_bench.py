"""The Ask overhead bench's arithmetic and report, on made-up samples (no stack, no timing)."""

from __future__ import annotations

import math

import pytest

from llmops.query.v1 import query_pb2
from llmops_stack.ask_overhead_bench import (
    BEGIN,
    END,
    AskSample,
    Level,
    RawPrompts,
    percentile,
    render,
    sample,
    schedule,
)

STAGES = {"guardrails_in": 6.0, "retrieval": 9.0, "generation": 400.0, "extraction": 4.0, "guardrails_out": 3.0}


def ask(total_ms: float, stages: dict[str, float] | None = None, output_tokens: int = 1) -> AskSample:
    return AskSample(total_ms, dict(STAGES if stages is None else stages), 600, output_tokens, "extractive")


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
    assert math.isnan(percentile([], 50))


def test_outside_generation_subtracts_every_generation_stage_only() -> None:
    escalated = ask(700.0, {"guardrails_in": 5.0, "generation": 300.0, "generation_2": 350.0, "verification": 20.0})
    assert escalated.model_calls == 2
    assert escalated.generation_ms == 650.0
    assert escalated.outside_ms == 50.0
    refused = ask(12.0, {"guardrails_in": 12.0}, output_tokens=0)
    assert (refused.model_calls, refused.outside_ms) == (0, 12.0)


def test_sample_reads_the_response() -> None:
    response = query_pb2.AskResponse(
        outcome=query_pb2.ANSWER_OUTCOME_EXTRACTIVE,
        latencies=[query_pb2.StageLatency(stage="generation", milliseconds=80.0)],
    )
    response.usage.input_tokens, response.usage.output_tokens = 512, 1
    got = sample(95.0, response)
    assert (got.outcome, got.input_tokens, got.output_tokens, got.outside_ms) == ("extractive", 512, 1, 15.0)


def test_schedule_gives_every_client_every_item_from_its_own_offset() -> None:
    work = schedule(["a", "b", "c", "d"], clients=2, passes=2)
    assert work == [["a", "b", "c", "d"] * 2, ["c", "d", "a", "b"] * 2]


def test_raw_prompts_differ_after_the_template() -> None:
    prompts = RawPrompts(["How long is the warranty?"])
    first, second = prompts.messages(0, 400), prompts.messages(1, 400)
    assert first[0] == second[0]  # the same system message, as every Ask's
    assert first[1]["content"] != second[1]["content"]
    assert "[4] " in first[1]["content"] and "How long is the warranty?" in first[1]["content"]


def level(clients: int, outside_ms: float, spikes: int = 0) -> Level:
    asks = [ask(400.0 + outside_ms) for _ in range(100 - spikes)] + [ask(400.0 + 90.0) for _ in range(spikes)]
    refused = AskSample(10.0, {"guardrails_in": 10.0}, 0, 0, "refused")
    return Level(clients, [*asks, refused], [380.0] * 100, [590] * 100)


def test_render_says_met_only_when_both_goals_are() -> None:
    met = render([level(1, 8.0), level(8, 12.0)], 3, {"llama_cpp_python": "0.3"})
    assert met.startswith(BEGIN) and met.endswith(END)
    assert "| 8 | 101 (100) | 412.0 / 412.0 | 400.0 / 400.0 | 12.0 / 12.0 | 380.0 / 380.0 | 20.0 |" in met
    assert "p99 ≤ 50 ms: 12.0 / 12.0 ms — met" in met
    assert "outcomes extractive 100, refused 1; 1 Asks ended without a model call; 0 of 100" in met
    slow_tail = render([level(1, 8.0), level(8, 12.0, spikes=2)], 3, {})
    assert "12.0 / 90.0 ms — not met" in slow_tail


@pytest.mark.parametrize("tokens", [0, 2])
def test_render_counts_drafts_that_were_not_one_token(tokens: int) -> None:
    odd = level(8, 12.0)
    odd.asks[0] = ask(412.0, output_tokens=tokens)
    assert "1 of 100 that reached it had other than 1 output token" in render([level(1, 8.0), odd], 3, {})
