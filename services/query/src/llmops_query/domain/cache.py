"""The semantic answer cache: a verified answer given again to the same tenant's paraphrase.

A hit needs two things: the nearest cached question of the tenant is close enough (cosine of the
MiniLM vectors at least ``threshold``, measured on tests/data/cache_pairs.jsonl, see
docs/decisions/0026-semantic-cache.md), and the two questions agree on what cosine is blind to:
the same numbers and identifiers, weekdays, months, negations and before/after-like relations
(``same_specifics``). Only answered and checked answers are stored (verified, fallback,
extractive), never refusals or abstentions, never in strict mode. An entry dies when a document it
cites changes or is deleted (docs.changes), and after ``ttl_seconds`` in any case: query does not
know which prompt version generation serves now, so age bounds how stale a prompt can be.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from llmops_query.domain.answers import Answer, Citation, Embedder, Generated, Outcome, Passage, Status, search_text

# Lowest cosine with no look-alike hit on the train split (with same_specifics), see cache_bench.
DEFAULT_THRESHOLD = 0.811
DEFAULT_TTL_SECONDS = 24 * 3600.0
CACHEABLE = frozenset({Outcome.VERIFIED, Outcome.FALLBACK, Outcome.EXTRACTIVE})
HIT_REASON = "cache hit"


@dataclass(frozen=True)
class CacheKey:
    """Who asks and, when the caller pins them, which prompt and route must have made the answer."""

    tenant_id: str
    prompt_name: str = ""  # "" = any
    prompt_version: int = 0  # 0 = any
    route: str = ""  # the model route whose draft was kept; "" = any


@dataclass(frozen=True)
class CachedCitation:
    chunk_id: str
    document_id: str
    title: str
    source_uri: str
    score: float
    snippet: str
    similarity: float


@dataclass(frozen=True)
class CachedAnswer:
    tenant_id: str
    question: str  # redacted, as the input guardrail returned it
    text: str  # as the output guardrail returned it
    outcome: Outcome
    outcome_reason: str
    citations: tuple[CachedCitation, ...]
    prompt_name: str = ""
    prompt_version: int = 0
    model: str = ""
    provider: str = ""
    route: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def document_ids(self) -> tuple[str, ...]:
        return tuple(sorted({c.document_id for c in self.citations}))


@dataclass(frozen=True)
class CacheHit:
    entry: CachedAnswer
    similarity: float


class AnswerCache(Protocol):
    """What AskPipeline needs of a cache (None: no cache)."""

    async def lookup(self, key: CacheKey, question: str) -> CacheHit | None: ...

    async def store(self, answer: Answer) -> bool: ...


class CacheInvalidator(Protocol):
    async def drop_document(self, tenant_id: str, document_id: str) -> int: ...


class CacheStore(Protocol):
    """Nearest-question search over one tenant's entries (pgvector, or memory in tests)."""

    async def nearest(
        self, key: CacheKey, vector: Sequence[float], limit: int, newer_than: datetime
    ) -> list[tuple[CachedAnswer, float]]: ...

    async def put(self, entry: CachedAnswer, vector: Sequence[float]) -> None: ...

    async def drop_document(self, tenant_id: str, document_id: str) -> int: ...


# --- what cosine does not see -------------------------------------------------------------------

_EN_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "single": 1, "double": 2,
    "dozen": 12,
}  # fmt: skip
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "萬": 10000, "万": 10000}
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZH_WEEKDAY = re.compile(r"(?:星期|週|周|禮拜|礼拜)([一二三四五六日天末])")
_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")  # fmt: skip
_EN_NEGATION = {"not", "no", "never", "without", "cannot", "none", "nothing", "nor", "neither"}
_EN_NEGATED_PREFIX = re.compile(r"\b(?:un|non-?)(opened|used|worn|paid|delivered|available|eligible|returnable)\b")
_ZH_NEGATION = re.compile(r"[不沒没無无未別别非莫勿]")
_EN_RELATIONS = {
    "before": "before", "prior": "before", "earlier": "before", "early": "before",
    "after": "after", "later": "after", "late": "after", "past": "after", "beyond": "after",
    "within": "within", "inside": "within", "until": "within",
    "over": "more", "above": "more", "more": "more", "exceeding": "more",
    "under": "less", "below": "less", "less": "less", "fewer": "less",
}  # fmt: skip
_ZH_RELATIONS = (
    ("以內", "within"), ("以内", "within"), ("之內", "within"), ("之内", "within"), ("內", "within"),
    ("内", "within"), ("前", "before"), ("後", "after"), ("后", "after"), ("以上", "more"), ("超過", "more"),
    ("超过", "more"), ("多於", "more"), ("多于", "more"), ("以下", "less"), ("少於", "less"), ("少于", "less"),
    ("不到", "less"),
)  # fmt: skip
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NUMBERISH = re.compile(r"[a-z]*\d[\w\-./]*")


def _zh_number(text: str) -> int | None:
    """十四 → 14, 二十 → 20, 一百二十 → 120, 三 → 3 (no decimals)."""
    total, digit = 0, None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _numbers(text: str) -> frozenset[str]:
    lowered = text.lower()
    found = {token.strip("-./") for token in _NUMBERISH.findall(lowered)}
    found = {re.sub(r"^0+(?=\d)", "", t) for t in found if t}
    found |= {str(_EN_NUMBERS[w]) for w in _WORD.findall(lowered) if w in _EN_NUMBERS}
    for run in re.findall(r"[零〇一二兩两三四五六七八九十百千萬万]+", text):
        if run in {"一", "万", "萬"}:  # 一下, 一些, 萬一: not a quantity often enough to matter
            continue
        value = _zh_number(run)
        if value is not None:
            found.add(str(value))
    return frozenset(found)


def _calendar(text: str) -> frozenset[str]:
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    days = {f"day{i}" for i, d in enumerate(_WEEKDAYS_EN) if d in words or f"{d}s" in words}
    for mark in _ZH_WEEKDAY.findall(text):
        days.add("weekend" if mark == "末" else f"day{'一二三四五六日天'.index(mark) if mark != '天' else 6}")
    if "weekend" in words or "weekends" in words:
        days.add("weekend")
    months = {f"month{i}" for i, m in enumerate(_MONTHS_EN) if m in words and not (m == "may" and "may i" in lowered)}
    return frozenset(days | months)


def _negations(text: str) -> frozenset[str]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    found = {"not" for w in words if w in _EN_NEGATION or w.endswith("n't")}
    found |= {"not" for _ in _EN_NEGATED_PREFIX.finditer(lowered)}
    zh = _ZH_NEGATION.findall(text)
    # A Chinese yes/no question is often "X不X" (可不可以, 是不是): that is no negation.
    zh_count = len(zh) - len(re.findall(r"(\w)[不没沒]\1", text))
    if zh_count > 0:
        found.add("not")
    return frozenset(found)


def _relations(text: str) -> frozenset[str]:
    found = {_EN_RELATIONS[w] for w in _WORD.findall(text.lower()) if w in _EN_RELATIONS}
    rest = text
    for word, relation in _ZH_RELATIONS:
        if word in rest:
            found.add(relation)
            rest = rest.replace(word, " ")
    return frozenset(found)


_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z]+|[A-Z]{2,})\b")
_ASKED = {"where": "where", "who": "who", "whom": "who", "whose": "who", "why": "why"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Characters of how a question is put, not of what it asks about (both scripts).
_ZH_FRAME = set("嗎吗呢吧啊呀的了是有在要會会能可以請请你妳您們们我怎麼么樣样如何什多少幾几哪些個个嘛還还就都也很才")


def _names(text: str) -> frozenset[str]:
    """Capitalised words inside the sentence (places, products, brands), without the pronoun I."""
    names = {m.removesuffix("'s").lower() for m in _NAME.findall(text)}
    return frozenset(n for n in names if n != "i" and n not in _WEEKDAYS_EN and n not in _MONTHS_EN)


def _asked(text: str) -> frozenset[str]:
    return frozenset(_ASKED[w] for w in _WORD.findall(text.lower()) if w in _ASKED)


def _ideographs(text: str) -> frozenset[str]:
    """The Chinese characters that carry the question's content. The encoder (MiniLM, trained on
    English) hardly tells Chinese questions apart, 怎么退货 and 怎么换货 score 1.0, so for
    them the cache asks for the same content characters rather than trusting the cosine."""
    text = re.sub(r"(\w)[不没沒]\1", r"\1", text)  # 可不可以 asks the same as 可以…嗎
    return frozenset(ch for ch in _CJK.findall(text) if ch not in _ZH_FRAME)


def specifics(question: str) -> tuple[frozenset[str], ...]:
    """Numbers and identifiers, weekdays and months, negation, names, where/who/why, Chinese
    content characters; last, before/after/within/more/less."""
    return (
        _numbers(question), _calendar(question), _negations(question), _names(question), _asked(question),
        _ideographs(question), _relations(question),
    )  # fmt: skip


def same_specifics(a: str, b: str) -> bool:
    """Equal numbers, calendar words and negation; relations equal where both questions state one
    (a relation left implicit, "return window" against "returned within", is no conflict)."""
    (*first, rel_a), (*second, rel_b) = specifics(a), specifics(b)
    return first == second and (rel_a == rel_b or not rel_a or not rel_b)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def cacheable(answer: Answer, strict: bool) -> bool:
    return (
        not strict
        and answer.status is Status.ANSWERED
        and answer.outcome in CACHEABLE
        and bool(answer.citations)
        and bool(answer.text.strip())
        and not is_cache_hit(answer)  # a hit is not stored again
    )


def is_cache_hit(answer: Answer) -> bool:
    return answer.cache_similarity is not None


def entry_of(answer: Answer) -> CachedAnswer:
    generated = answer.generated
    return CachedAnswer(
        answer.tenant_id, answer.question, answer.text, answer.outcome, answer.outcome_reason,
        tuple(CachedCitation(c.passage.chunk_id, c.passage.document_id, c.passage.title, c.passage.source_uri,
                             c.passage.score, c.snippet, c.similarity) for c in answer.citations),
        generated.prompt_name if generated else "", generated.prompt_version if generated else 0,
        generated.model if generated else "", generated.provider if generated else "", answer.route,
    )  # fmt: skip


def apply_hit(answer: Answer, hit: CacheHit) -> Answer:
    """The cached answer under this request's answer id; no tokens were spent on it."""
    entry = hit.entry
    passages = [
        Passage(c.chunk_id, c.document_id, c.title, c.source_uri, "", c.score, c.similarity) for c in entry.citations
    ]
    answer.text, answer.outcome = entry.text, entry.outcome
    answer.citations = [Citation(p, c.snippet, c.similarity) for p, c in zip(passages, entry.citations, strict=True)]
    answer.passages = passages
    answer.route = entry.route
    answer.cache_similarity = hit.similarity
    if entry.model or entry.prompt_name:
        answer.generated = Generated(entry.text, entry.model, entry.provider, entry.prompt_name, entry.prompt_version,
                                     0, 0, 0.0)  # fmt: skip
    age = (datetime.now(UTC) - entry.created_at).total_seconds()
    answer.outcome_reason = (
        f"{HIT_REASON} (similarity {hit.similarity:.3f} to an answer of {age:.0f}s ago, "
        f"outcome {entry.outcome.value}): {entry.outcome_reason}"
    )
    return answer


class QuestionVectors:
    """The question's vector, kept between lookup and store of the same question (bounded)."""

    def __init__(self, embedder: Embedder, size: int = 512) -> None:
        self.embedder = embedder
        self.size = size
        self._memo: OrderedDict[str, list[float]] = OrderedDict()

    async def vector(self, question: str) -> list[float]:
        if question in self._memo:
            self._memo.move_to_end(question)
            return self._memo[question]
        [vector] = await self.embedder.embed([question])
        self._memo[question] = vector
        if len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return vector


@dataclass
class SemanticCache:
    """AnswerCache over a CacheStore: threshold, specifics guard, TTL, what may be stored."""

    store_: CacheStore
    embedder: Embedder
    threshold: float = DEFAULT_THRESHOLD
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    candidates: int = 5
    vectors: QuestionVectors = field(init=False)
    hits: int = 0
    misses: int = 0
    stored: int = 0

    def __post_init__(self) -> None:
        self.vectors = QuestionVectors(self.embedder)

    async def lookup(self, key: CacheKey, question: str) -> CacheHit | None:
        text = search_text(question)
        vector = await self.vectors.vector(text)
        newer_than = datetime.now(UTC) - timedelta(seconds=self.ttl_seconds)
        for entry, similarity in await self.store_.nearest(key, vector, self.candidates, newer_than):
            if similarity < self.threshold:
                break  # nearest first
            if same_specifics(text, search_text(entry.question)):
                self.hits += 1
                return CacheHit(entry, similarity)
        self.misses += 1
        return None

    async def store(self, answer: Answer) -> bool:
        """Stores the answer if it may be cached; the caller has checked strict mode."""
        if not cacheable(answer, strict=False):
            return False
        vector = await self.vectors.vector(search_text(answer.question))
        await self.store_.put(entry_of(answer), vector)
        self.stored += 1
        return True

    async def drop_document(self, tenant_id: str, document_id: str) -> int:
        return await self.store_.drop_document(tenant_id, document_id)
