"""``make bench``: start-up time and memory of each stack component, and Triton batching.

Everything is measured in one run on this machine, side by side, and written to
docs/benchmarks.md between the markers of this section (other sections are left alone).
"""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil
import tritonclient.grpc as triton

from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.stack import Stack

BENCH_STACK = StackSettings.isolated("bench", port_base=14000)
REPORT = REPO_ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:stack:begin -->", "<!-- bench:stack:end -->"
TEXT = "Items can be returned within 30 days of delivery for a full refund, provided they are unused."


@dataclass(frozen=True)
class ComponentNumbers:
    name: str
    cold_seconds: float
    warm_seconds: float
    idle_mib: float
    loaded_mib: float


def rss_mib(stack: Stack, name: str) -> float:
    record = stack.table.get(name)
    process = record.process() if record else None
    if process is None:
        return float("nan")
    members = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in members if p.is_running()) / 2**20


def embed_rate(settings: StackSettings, batch: int, texts: int) -> float:
    """Texts per second through the embedder ensemble, sending ``batch`` texts per request."""
    client = triton.InferenceServerClient(settings.triton_grpc_url)
    payload = np.array([[f"{TEXT} #{i}".encode()] for i in range(batch)], dtype=object)
    text_input = triton.InferInput("text", list(payload.shape), "BYTES")
    text_input.set_data_from_numpy(payload)
    client.infer("embedder", [text_input])  # warm-up
    started = time.perf_counter()
    for _ in range(texts // batch):
        client.infer("embedder", [text_input])
    return (texts // batch) * batch / (time.perf_counter() - started)


def measure() -> tuple[list[ComponentNumbers], dict[int, float]]:
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)
    stack = Stack(BENCH_STACK)
    try:
        cold = {r.name: r.seconds for r in stack.up()}
        stack.down()
        warm = {r.name: r.seconds for r in stack.up()}
        idle = {c.name: rss_mib(stack, c.name) for c in stack.components}
        rates = {
            batch: statistics.median(embed_rate(BENCH_STACK, batch, 256) for _ in range(3)) for batch in (1, 8, 32)
        }
        loaded = {c.name: rss_mib(stack, c.name) for c in stack.components}
    finally:
        stack.down()
        shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)
    numbers = [
        ComponentNumbers(c.name, cold[c.name], warm[c.name], idle[c.name], loaded[c.name]) for c in stack.components
    ]
    return numbers, rates


def render(numbers: list[ComponentNumbers], rates: dict[int, float]) -> str:
    cpu = f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    lines = [
        BEGIN,
        "## Local stack infrastructure: start-up and memory",
        "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')} ({cpu}). Cold = empty state folder"
        " (includes initdb and the Triton backend copy); warm = restart on existing state. Time is until the"
        " health check passes; memory is RSS of the process and its children (Triton's python stubs included).",
        " The services' start-up times are in the `make run` section below.",
        "",
        "| component | cold start (s) | warm start (s) | RSS idle (MiB) | RSS after embedding load (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n.name} | {n.cold_seconds:.2f} | {n.warm_seconds:.2f} | {n.idle_mib:.0f} | {n.loaded_mib:.0f} |"
        for n in numbers
    ]
    total_cold = sum(n.cold_seconds for n in numbers)
    total_warm = sum(n.warm_seconds for n in numbers)
    lines += [
        f"| **all** | {total_cold:.2f} | {total_warm:.2f} | {sum(n.idle_mib for n in numbers):.0f} |"
        f" {sum(n.loaded_mib for n in numbers):.0f} |",
        "",
        "## Triton embedder (CPU config): texts per request",
        "",
        "Same 256 texts, median of 3 runs; ratio is against one text per request.",
        "",
        "| texts per request | texts/s | ratio |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {batch} | {rate:.0f} | {rate / rates[1]:.2f}x |" for batch, rate in rates.items()]
    lines += ["", END]
    return "\n".join(lines)


def write_report(section: str, report: Path = REPORT, begin: str = BEGIN, end: str = END) -> None:
    """Replaces the text between ``begin`` and ``end`` (a section written by one bench) or appends it."""
    existing = (
        report.read_text()
        if report.exists()
        else "# Benchmarks\n\nWritten by `make bench`; numbers from one run each.\n"
    )
    if begin in existing and end in existing:
        before, rest = existing.split(begin, 1)
        after = rest.split(end, 1)[1]
        updated = before + section + after
    else:
        updated = existing.rstrip("\n") + "\n\n" + section + "\n"
    report.write_text(updated)


def main() -> None:
    numbers, rates = measure()
    section = render(numbers, rates)
    print(section)
    write_report(section)
    print(f"\nwritten to {REPORT.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
