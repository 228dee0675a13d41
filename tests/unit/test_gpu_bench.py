"""The GPU bench's arithmetic, goal lines and report, on made-up numbers (no Triton, no torch, no timing)."""

from __future__ import annotations

import numpy as np
import pytest

from llmops_stack.gpu_bench import BEGIN, END, NOT_A_GPU, Load, RawRate, Run, goal_lines, percentile, render


def load(size: int, concurrency: int, rate: float, latencies: tuple[float, ...] = (1.0, 2.0, 3.0)) -> Load:
    return Load(size, concurrency, sentences=int(rate * 2), seconds=2.0, latencies_ms=latencies)


def run(on_gpu: bool, loads: list[Load]) -> Run:
    name = "NVIDIA H100 80GB HBM3, CUDA 12.8" if on_gpu else f"CPU (2 cores), {NOT_A_GPU}"
    raw = [RawRate(32, 640, tokenize_seconds=0.5, model_seconds=1.5), RawRate(256, 2048, 1.0, 1.0)]
    return Run(on_gpu, name, "started by this script", 264, 4, loads, raw, {"torch": "2.11.0", "Triton": "2.51.0"})


def test_percentile_interpolates_between_ranks_like_numpy() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    skewed = [1.0, 1.0, 2.0, 3.0, 50.0]
    for q in (50, 90, 99):
        assert percentile(skewed, q) == pytest.approx(float(np.percentile(skewed, q)))


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_rates_divide_sentences_by_their_own_seconds() -> None:
    assert load(32, 64, 1000.0).rate == pytest.approx(1000.0)
    raw = RawRate(32, 640, tokenize_seconds=0.5, model_seconds=1.5)
    assert raw.model_rate == pytest.approx(640 / 1.5)
    assert raw.total_rate == pytest.approx(320.0)


def test_goals_take_the_best_cell_of_each_request_size_on_a_gpu() -> None:
    loads = [load(32, 1, 9_000), load(32, 16, 61_000), load(32, 64, 40_000), load(1, 64, 19_999), load(1, 16, 5)]
    batched, one_text = goal_lines(loads, on_gpu=True)
    assert batched.startswith("- ≥ 60,000 sentences/s batched: 61,000 (concurrency 16)")
    assert batched.endswith("— met")
    assert one_text.startswith("- ≥ 20,000/s one-text: 19,999 (concurrency 64)")
    assert one_text.endswith("— **not met**")


def test_a_goal_exactly_reached_is_met() -> None:
    batched, one_text = goal_lines([load(32, 64, 60_000), load(1, 64, 20_000)], on_gpu=True)
    assert batched.endswith("— met") and one_text.endswith("— met")


def test_a_cpu_run_neither_meets_nor_misses_the_goals() -> None:
    lines = goal_lines([load(32, 64, 90_000), load(1, 64, 90_000)], on_gpu=False)
    assert all(line.endswith("— not measured (CPU run)") for line in lines)
    assert not any("met" in line.replace("not measured", "") for line in lines)


def test_a_request_size_not_measured_says_so() -> None:
    batched, one_text = goal_lines([load(32, 16, 70_000)], on_gpu=True)
    assert batched.endswith("— met")
    assert one_text == "- ≥ 20,000/s one-text: no 1-text requests measured"


def test_the_report_is_one_marked_section_with_a_row_per_cell_and_batch() -> None:
    loads = [load(32, 64, 61_000, (5.0, 6.0, 7.0, 100.0)), load(1, 1, 800)]
    section = render(run(True, loads))
    assert section.startswith(BEGIN) and section.endswith(END)
    assert section.count(BEGIN) == 1 and section.count(END) == 1
    assert "| GPU | 32 | 64 | 61,000 | 6.5 | 97.2 | 4 |" in section
    assert "| GPU | 1 | 1 | 800 | 2.0 | 3.0 | 3 |" in section
    assert "| GPU | 32 | 427 | 320 | 640 |" in section
    assert "| GPU | 256 | 2,048 | 1,024 | 2048 |" in section
    assert "Device: NVIDIA H100 80GB HBM3" in section and "fp16" in section and "264 corpus chunk texts" in section
    assert NOT_A_GPU not in section and "CPU" not in section


def test_a_cpu_report_labels_every_number_cpu_and_claims_no_gpu() -> None:
    section = render(run(False, [load(32, 64, 61_000), load(1, 64, 20_000)]))
    rows = [line for line in section.splitlines() if line.startswith("| ") and line[2].isalpha() and "|---" not in line]
    data = [row for row in rows if not row.startswith("| on |")]
    assert len(data) == 4 and all(row.startswith("| CPU |") for row in data)
    assert "| GPU |" not in section and "GPU run" not in section
    assert f"{NOT_A_GPU}; a smoke test" in section and "fp32" in section
    assert section.count("not measured (CPU run)") == 2
