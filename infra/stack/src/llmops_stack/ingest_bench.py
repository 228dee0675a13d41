"""``make bench`` (ingest part): files to searchable chunks, next to the raw speed of the same model.

In one run, on an isolated stack (``.llmops/ingest-bench``, ports from 15000): the encoder Triton
serves, run in this process while the stack is idle; a full ingest with 1, then 2 embedding
replicas; a re-sync of the unchanged corpus; one edited document. Texts embedded are Triton's own
counts. Written between this section's markers in docs/benchmarks.md; tests never assert on time.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

from llmops.ingestion.v1 import ingestion_pb2
from llmops.retrieval.v1 import retrieval_pb2
from llmops_embedding.settings import EmbeddingSettings
from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens, chunk_sections
from llmops_ingestion.domain.extraction import content_type_for
from llmops_ingestion.domain.reading import read_document
from llmops_ingestion.settings import IngestionSettings
from llmops_stack.bench import write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.models import MAX_SEQUENCE_LENGTH
from llmops_stack.stack import Stack

BENCH_STACK = StackSettings.isolated("ingest-bench", port_base=15000, with_services=True)
BEGIN, END = "<!-- bench:ingest:begin -->", "<!-- bench:ingest:end -->"
MIN_CHUNKS = 2000
RAW_SAMPLE = 1024  # chunk texts timed in process (about a minute at one thread here)
SOURCES = (REPO_ROOT / "corpus" / "acme", REPO_ROOT / "corpus" / "field" / "docs")
EDIT_MARK = " (revised for the ingest benchmark)"
Chunked = tuple[str, str]  # (heading path, text): what the chunk ids depend on besides the document


def chunks_of(path: Path, policy: ChunkingPolicy) -> list[Chunked]:
    """The file's chunks exactly as the ingestion service cuts them (its own functions and policy)."""
    content_type = content_type_for(path.name)
    if content_type is None:
        return []
    read = read_document(path.read_bytes(), content_type)
    return [(c.heading_path, c.text) for c in chunk_sections(read.extracted.sections, policy)]


def source_files() -> Iterator[tuple[Path, Path]]:
    """(file, path inside a corpus copy) for every ingestible file of the sources that exist."""
    for source in (s for s in SOURCES if s.is_dir()):
        for path in sorted(p for p in source.rglob("*") if p.is_file() and content_type_for(p.name)):
            yield path, path.relative_to(REPO_ROOT / "corpus")


def build_corpus(target: Path, copies: int) -> None:
    """``copies`` copies of the sources; document ids are paths, so each copy's chunks are distinct."""
    for copy in range(1, copies + 1):
        for path, relative in source_files():
            destination = target / f"copy-{copy:02d}" / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


class RawEncoder:
    """Triton's tokenizer model and CPU encoder model, in this process (see the model repository)."""

    def __init__(self, repository: Path, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(repository / "tokenizer" / "1" / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_SEQUENCE_LENGTH)
        self.tokenizer.enable_padding(pad_to_multiple_of=8)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0 = onnxruntime's default, as in the encoder model
        self.session = onnxruntime.InferenceSession(
            str(repository / "encoder" / "1" / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: list[str]) -> None:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        self.session.run(["embeddings"], {"input_ids": ids, "attention_mask": mask})

    def rate(self, texts: list[str], batch: int) -> float:
        """Chunks per second over ``texts``, ``batch`` at a time (tokenizing included, as in Triton)."""
        self.embed(texts[:batch])  # warm-up: first-run allocations are not the model's speed
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            self.embed(texts[start : start + batch])
        return len(texts) / (time.perf_counter() - started)


def encoder_counters(settings: StackSettings) -> Counter[str]:
    """Triton's cumulative counters of the ``encoder`` model (texts, executions, compute time in us)."""
    url = f"http://{settings.host}:{settings.triton_metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        lines = response.read().decode().splitlines()
    counters: Counter[str] = Counter()
    for line in lines:
        if line.startswith("nv_inference") and 'model="encoder"' in line:
            counters[line.split("{", 1)[0]] += int(float(line.rsplit(" ", 1)[1]))
    return counters


def cpu_mark(stack: Stack) -> tuple[float, float]:
    """(wall clock, CPU seconds the machine spent outside this process and the stack's process trees)."""
    roots = [psutil.Process(), *(p for r in stack.table.all() if (p := r.process()) is not None)]
    ours = 0.0
    for process in {p.pid: p for root in roots for p in [root, *root.children(recursive=True)]}.values():
        with contextlib.suppress(psutil.NoSuchProcess):  # children_*: ended children (restarted stubs) count
            ours += sum(process.cpu_times()[:4])  # user, system, children_user, children_system
    machine = psutil.cpu_times()
    busy = sum(float(getattr(machine, f, 0.0)) for f in ("user", "nice", "system", "irq", "softirq"))
    return time.perf_counter(), busy - ours


def other_cores(stack: Stack, mark: tuple[float, float]) -> float:
    """Average cores that other work on this machine used since ``mark`` (the machine is shared)."""
    wall, others = cpu_mark(stack)
    return max(0.0, others - mark[1]) / (wall - mark[0])


@dataclass(frozen=True)
class Phase:
    chunks: int  # searchable chunks of the tenant at the end
    seconds: float  # sync start until searchable
    sync_seconds: float  # the SyncSource call alone (list, read, chunk, publish)
    report: ingestion_pb2.IngestReport
    embedded: int  # Triton encoder inference count delta (texts)
    executions: int
    encoder_seconds: float  # Triton encoder compute time delta
    other_cores: float  # average cores used by processes outside this bench and its stack

    @property
    def rate(self) -> float:
        return self.chunks / self.seconds


def timed_sync(stack: Stack, client: PlatformClient, tenant: str, folder: Path, changes: bool = False) -> Phase:
    """Syncs ``folder`` and waits until retrieval serves exactly the tenant's chunks.

    With ``changes``, first until Triton has embedded what was published: retrieval serves a changed
    document's old version, complete, until it hears of the new one, so wait_indexed alone could
    return before the change is even seen. New documents are never served early.
    """
    settings = stack.settings
    before, mark = encoder_counters(settings), cpu_mark(stack)
    started = time.perf_counter()
    report = client.sync(tenant, folder)
    sync_seconds = time.perf_counter() - started
    deadline = time.monotonic() + 600
    while changes and time.monotonic() < deadline:
        if encoder_counters(settings)["nv_inference_count"] - before["nv_inference_count"] >= report.chunks_published:
            break
        time.sleep(0.2)
    stats = client.wait_indexed(tenant, timeout=1500)
    seconds = time.perf_counter() - started
    after, others = encoder_counters(settings), other_cores(stack, mark)
    expected, _ = client.expected(tenant)
    if stats.chunks != expected or stats.pending_documents:
        logs = settings.state_dir / "logs"
        raise RuntimeError(f"{tenant}: {stats.chunks} of {expected} chunks searchable; see {logs}/*.log")
    delta = after - before
    return Phase(
        int(stats.chunks), seconds, sync_seconds, report, delta["nv_inference_count"],
        delta["nv_inference_exec_count"], delta["nv_inference_compute_infer_duration_us"] / 1e6,
        others,
    )  # fmt: skip


def changed(report: ingestion_pb2.IngestReport) -> int:
    return report.documents_added + report.documents_modified + report.documents_deleted


def edit_middle_sentence(path: Path) -> str:
    """Changes the last sentence of the prose line nearest the file's middle; returns the new line."""
    lines = path.read_text().splitlines(keepends=True)
    prose = [i for i, line in enumerate(lines) if len(line) > 60 and line.rstrip().endswith(".")]
    prose = [i for i in prose if not lines[i].lstrip().startswith(("#", "|", "<", "-", "*"))]
    if not prose:
        raise RuntimeError(f"no prose line to edit in {path}")
    index = min(prose, key=lambda i: abs(i - len(lines) // 2))
    stripped = lines[index].rstrip()
    lines[index] = stripped[:-1] + EDIT_MARK + ".\n"
    path.write_text("".join(lines))
    return lines[index].strip()


@dataclass(frozen=True)
class EditRun:
    document: str  # path in the corpus folder
    line: str  # the edited line
    chunks: int  # chunks of the edited version
    changed: int  # of those, chunks whose (heading, text) the old version lacked, by the chunker
    published: int  # for that document, as ingestion reported
    reused: int
    searchable: bool  # the edited line finds its own new chunk in the top 5
    phase: Phase


@dataclass(frozen=True)
class Results:
    copies: int
    files: int
    threads: int
    batch: int
    raw: dict[int, float]  # replicas -> raw chunks/s measured on that stack while idle
    raw_other_cores: dict[int, float]
    raw_default_threads: float
    ingest: dict[int, Phase]  # replicas -> full ingest
    resync: Phase
    edit: EditRun


def edit_one(stack: Stack, client: PlatformClient, folder: Path, old: list[Chunked], relative: Path) -> EditRun:
    """Edits one sentence of ``copy-01/relative`` and re-syncs; ``old`` is that file's chunks before."""
    path, document = folder / "copy-01" / relative, f"copy-01/{relative.as_posix()}"
    line = edit_middle_sentence(path)
    new = chunks_of(path, ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path)))
    phase = timed_sync(stack, client, "bench-a", folder, changes=True)
    result = next(d for d in phase.report.results if d.document_id == document)
    query = retrieval_pb2.SearchRequest(tenant_id="bench-a", query=line[:2000], top_k=5)
    found = client.retrieval.Search(query, timeout=30, metadata=client.auth("bench-a")).results
    searchable = any(r.chunk.document_id == document and EDIT_MARK in r.chunk.text for r in found)
    return EditRun(
        document, line, len(new), sum((Counter(new) - Counter(old)).values()), result.chunks_published,
        result.chunks_reused, searchable, phase,
    )  # fmt: skip


def measure() -> Results:
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)
    policy = ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path))
    per_copy = {relative: chunks_of(path, policy) for path, relative in source_files()}
    copies = math.ceil(MIN_CHUNKS / sum(len(c) for c in per_copy.values()))
    texts = [text for _ in range(copies) for chunks in per_copy.values() for _, text in chunks]
    english = [r for r in per_copy if r.suffix == ".md" and "en" in r.parts] or list(per_copy)
    edited = max(english, key=lambda r: len(per_copy[r]))
    ingests, raws, raw_load, batch = {}, {}, {}, EmbeddingSettings().batch_size
    for replicas, tenant in ((1, "bench-a"), (2, "bench-b")):
        stack = Stack(BENCH_STACK.model_copy(update={"replicas": {"embedding": replicas}}))
        try:
            stack.up()
            triton = next(c for c in stack.components if c.name == "triton")
            threads = int(triton.environment().get("LLMOPS_ENCODER_THREADS", "0"))
            mark, model = cpu_mark(stack), stack.settings.model_repository
            raws[replicas] = RawEncoder(model, threads).rate(texts[:RAW_SAMPLE], batch)
            raw_load[replicas] = other_cores(stack, mark)
            if replicas == 1:  # context only: what the model does here with all cores
                default = RawEncoder(model, 0).rate(texts[:256], batch)
            folder = stack.settings.state_dir / f"corpus-{tenant}"
            build_corpus(folder, copies)
            client = PlatformClient(stack.settings)
            ingests[replicas] = timed_sync(stack, client, tenant, folder)
            print(f"{replicas} replica(s): {ingests[replicas].chunks} chunks in {ingests[replicas].seconds:.1f} s")
            if replicas == 1:
                resync = timed_sync(stack, client, tenant, folder)
                edit = edit_one(stack, client, folder, per_copy[edited], edited)
            client.close()
        finally:
            stack.down()
    shutil.rmtree(BENCH_STACK.state_dir, ignore_errors=True)  # kept, with its logs, when a step failed
    files = len(per_copy) * copies
    return Results(copies, files, threads, batch, raws, raw_load, default, ingests, resync, edit)


def explain(r: Results) -> str:
    """The goal's verdict per replica count, and where this run's time went (encoder busy or waiting)."""
    ratios = {n: p.rate / r.raw[n] for n, p in r.ingest.items()}
    met = [n for n, ratio in ratios.items() if ratio >= 0.8]
    verdict = "met with " + " and ".join(f"{n}" for n in met) + " replica(s)" if met else "**not met**"
    if any(abs(ratio - 0.8) < 0.02 for ratio in ratios.values()):
        verdict += ", with a ratio at the bar (closer to it than the run-to-run noise)"
    first = r.ingest[1]
    busy, per_chunk = first.encoder_seconds / first.seconds, 1000 * first.encoder_seconds / max(first.embedded, 1)
    where = (
        f"Triton's encoder was computing {busy:.0%} of the 1-replica wall, so the pipeline kept the model fed; the"
        f" gap is the encoder running slower inside the stack ({per_chunk:.0f} ms of encoder compute per chunk"
        f" against {1000 / r.raw[1]:.0f} ms to tokenize and encode one alone in process), as the cores are shared"
        " with Triton's tokenizer model, the services, Kafka, Postgres and the other load."
        if busy >= 0.9
        else f"Triton's encoder was computing only {busy:.0%} of the 1-replica wall; the rest of the time it"
        " waited on the plumbing (reading and chunking, Kafka hops, the consumer's batches, indexing)."
    )
    return (
        f"Goal (chunks/s ≥ 0.8 × raw, the model and not the plumbing as the bottleneck): {verdict} in this run"
        f" ({', '.join(f'{v:.3f} with {n}' for n, v in ratios.items())}). {where} A second embedding replica adds"
        " no model capacity (Triton runs one encoder instance); it only overlaps the service's own work with"
        " Triton's. Raw is measured again before each ingest because the machine's load moves between runs."
        f" Against the model using both cores (onnxruntime's default threads, {r.raw_default_threads:.1f}"
        f" chunks/s) the platform reaches {first.rate / r.raw_default_threads:.2f}: Triton's"
        " encoder runs one thread so the rest of the stack keeps a core, and that, not the plumbing, is the"
        " ceiling on this 2-core machine (more encoder threads or instances pay off where there are more cores)."
    )


def render(r: Results) -> str:
    cpu = f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    e = r.edit
    lines = [
        BEGIN,
        "## Ingest: files to searchable chunks, against the raw model",
        "",
        f"Measured by `make bench` (`python -m llmops_stack.ingest_bench`) on {time.strftime('%Y-%m-%d')} ({cpu};"
        f" the stack and this script share them). Corpus: {r.copies} copies of corpus/acme and corpus/field/docs"
        f" (the mojibake variant) in distinct folders, {r.files} files, {r.ingest[1].chunks} chunks (document ids"
        " are paths and chunk ids include them, so every copy is embedded). Wall: from the SyncSource call until"
        " retrieval serves every chunk (`wait_indexed`). Raw: Triton's `model.onnx` and `tokenizer.json` run by"
        f" onnxruntime in this process on the first {RAW_SAMPLE} chunk texts, {r.batch} per batch (the embedding"
        f" service's `batch_size`), truncated at {MAX_SEQUENCE_LENGTH} and padded to the batch's longest rounded"
        f" up to 8 like Triton's tokenizer model, {r.threads} intra-op thread(s) like Triton's encoder"
        " (`LLMOPS_ENCODER_THREADS`), on the idle stack just before its ingest (onnxruntime's default threads:"
        f" {r.raw_default_threads:.1f} chunks/s). Embedded: Triton's `nv_inference_count` of the encoder. Encoder"
        " busy: its compute time / wall. Other load: average cores used meanwhile by processes outside this"
        " bench and its stack (the machine is shared).",
        "",
        "| run | chunks | wall (s) | of which sync call (s) | chunks/s | raw chunks/s (other load) | ratio |"
        " embedded | avg batch | encoder busy | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, p in r.ingest.items():
        lines.append(
            f"| {n} embedding replica(s), new tenant | {p.chunks} | {p.seconds:.1f} | {p.sync_seconds:.1f} |"
            f" {p.rate:.1f} | {r.raw[n]:.1f} ({r.raw_other_cores[n]:.2f}) | {p.rate / r.raw[n]:.2f} | {p.embedded}"
            f" | {p.embedded / max(p.executions, 1):.1f} | {p.encoder_seconds / p.seconds:.0%} | {p.other_cores:.2f} |"
        )
    lines += [
        "",
        "| change (1 replica, tenant of the first ingest) | documents changed | wall until searchable (s) |"
        " chunks sent for embedding | chunks reused | embedded (Triton) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| re-sync, nothing changed | {changed(r.resync.report)} | {r.resync.seconds:.2f} |"
        f" {r.resync.report.chunks_published} | {r.resync.report.chunks_reused} | {r.resync.embedded} |",
        f"| one sentence edited in `{e.document}` ({e.chunks} chunks, {e.changed} with new text by the"
        f" chunker) | {changed(e.phase.report)} | {e.phase.seconds:.2f} | {e.published} | {e.reused} |"
        f" {e.phase.embedded} |",
        "",
        f"The edited sentence ends `…{e.line[-90:]}`; a search for the edited line right after"
        f" {'finds' if e.searchable else '**does not find**'} the new chunk in its top 5.",
        "",
        explain(r),
        "",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    results = measure()
    section = render(results)
    write_report(section, begin=BEGIN, end=END)
    resync, edit = results.resync, results.edit
    print(explain(results))
    print(f"re-sync: {resync.seconds:.2f} s, {resync.report.chunks_published} sent, {resync.embedded} embedded")
    print(
        f"edit: {edit.published} sent, {edit.reused} reused, {edit.phase.embedded} embedded, {edit.phase.seconds:.1f} s"
    )
    print(f"written to {(REPO_ROOT / 'docs' / 'benchmarks.md').relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
