"""Is each claim of an answer supported by the passages? The check behind verified answers and scores.

A claim is one sentence of the answer. Against the passages' sentences it gets:
- support: the larger of the embedding cosine and the share of its content terms (words, CJK
  bigrams) that one passage sentence with its neighbours contains. Lexical coverage carries Chinese,
  where an English embedder is weak; the cosine carries paraphrase.
- facts: every number, date, time and name must equal one in the passages (see ``facts``).
- polarity: a claim that negates what its best evidence states (or the reverse) is contradicted.

Across languages (an English claim about a Chinese passage) neither the English embedder nor term
overlap can tell support, so such a claim counts as supported only when it states facts and all of
them are in one passage; without facts it is ``unverifiable``, which is reported, never hidden.
A claim with no content terms and no facts ("I hope this helps.") states nothing and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from llmops_grounding.facts import EvidenceText, Facts, extract_facts, missing_facts
from llmops_grounding.text import (
    CONDITION,
    content_terms,
    coverage,
    is_cjk_text,
    negated,
    question_terms,
    sentence_windows,
    split_clauses,
    split_sentences,
)


class Embedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class Verdict(Enum):
    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class SupportPolicy:
    """Thresholds, calibrated per embedding model on the tuning part of a labelled set."""

    min_support: float = 0.45
    # Names are checked only against passages that have this many Latin words: in a Chinese
    # passage an English name cannot be found even when the answer is right.
    min_latin_words_for_names: int = 8


@dataclass(frozen=True)
class Evidence:
    passage: int  # index into the passages checked against
    sentence: str
    similarity: float  # embedding cosine, 0-1
    coverage: float  # share of the claim's content terms found there

    @property
    def strength(self) -> float:
        return max(self.similarity, self.coverage)


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    verdict: Verdict
    support: float
    evidence: Evidence | None
    missing_facts: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def score(self) -> float:
        """0 for a contradicted or unsupported claim, the support for a supported one, 0.5 if unknown."""
        if self.verdict is Verdict.SUPPORTED:
            return min(1.0, self.support)
        if self.verdict is Verdict.UNVERIFIABLE:
            return 0.5
        return min(self.support, 0.49) * 0.5 if self.verdict is Verdict.UNSUPPORTED else 0.0


@dataclass(frozen=True)
class AnswerCheck:
    claims: list[ClaimCheck]

    @property
    def grounded(self) -> bool:
        """Every claim supported (unverifiable claims make an answer not grounded, but not hallucinated)."""
        return all(c.verdict is Verdict.SUPPORTED for c in self.claims)

    @property
    def hallucinated(self) -> bool:
        return any(c.verdict in (Verdict.UNSUPPORTED, Verdict.CONTRADICTED) for c in self.claims)

    @property
    def groundedness(self) -> float:
        return float(np.mean([c.score for c in self.claims])) if self.claims else 1.0

    @property
    def risk(self) -> float:
        """How likely the answer states something the passages do not: 1 - the weakest claim's score."""
        return 1.0 - min((c.score for c in self.claims), default=1.0)

    def reasons(self) -> list[str]:
        return [f"{c.claim!r}: {c.reason}" for c in self.claims if c.verdict is not Verdict.SUPPORTED]


@dataclass(frozen=True)
class _Sentence:
    passage: int
    text: str
    window_terms: set[str]


def _sentences(passages: Sequence[str]) -> list[_Sentence]:
    return [
        _Sentence(index, window.sentence, window.window)
        for index, passage in enumerate(passages)
        for window in sentence_windows(passage)
    ]


CITATION_MARK = re.compile(r"\s*\[\d{1,2}\]")
# "No, you should choose a larger size" to "Should I choose a larger size?": a bare no, then the
# question's own proposition restated without negation, contradicts itself.
BARE_NO = re.compile(r"^\s*(?:no|nope)\s*[,.!]|^\s*(?:不|不是|沒有|没有|不行|不可以)\s*[，,。！]", re.IGNORECASE)
YES_NO_QUESTION = re.compile(
    r"^\s*(?:should|can|could|do|does|did|is|are|was|were|will|would|may|must|has|have)\b"
    r"|[嗎吗]\s*[？?]?\s*$|是否|能不能|可不可以|有沒有|有没有",
    re.IGNORECASE,
)
RESTATES_QUESTION = 0.85
# A negated statement about the sources themselves ("the context does not mention …") is a
# statement of absence, not a claim about the world to compare with a passage.
ABOUT_THE_SOURCES = re.compile(
    r"\b(?:context|passages?|documents?|information|text|sources?|materials?)\b|資料|资料|資訊|资讯|文件|內容|内容|提到|提及",
    re.IGNORECASE,
)

# "Based on the information provided in the context, …" / "根据提供的信息，…": a clause that only says
# where the answer comes from. The prompt speaks of context passages, so answers open with it; it
# states nothing about the world and must not fail a claim for low support of its own.
ATTRIBUTION = re.compile(
    r"^\s*(?:based\s+on|according\s+to|as\s+(?:stated|mentioned|described)\s+in|from|per)\s+(?:the\s+)?"
    r"(?:(?:information|details?|data)\s+)?(?:(?:provided|given|above)\s+)?(?:in\s+(?:the\s+)?)?"
    r"(?:context|passages?|documents?|information|text|sources?|materials?)?(?:\s+(?:provided|given|above))?\s*$"
    r"|^\s*(?:根[据據]|依[据據]|按照)(?:所?提供的?)?(?:信息|資訊|资讯|資料|资料|上下文|內容|内容|文章|段落|文件)?\s*$",
    re.IGNORECASE,
)


def factual_claims(answer: str) -> list[str]:
    """Sentences that state something; citation marks ("[2]") are references, not numbers."""
    text = CITATION_MARK.sub("", answer)
    return [s for s in split_sentences(text) if content_terms(s) or extract_facts(s).all()]


async def check_answer(
    answer: str,
    passages: Sequence[str],
    embedder: Embedder,
    policy: SupportPolicy | None = None,
    question: str = "",
    titles: Sequence[str] = (),
) -> AnswerCheck:
    """Each claim of the answer against the passages. ``titles`` (the passages' document titles, in
    order) count for names only: a chunk of the article "Saltley Guildhall" about its 47-metre tower
    may never repeat the name the answer rightly uses, while a number must still be in the chunk."""
    policy = policy or SupportPolicy()
    claims = factual_claims(answer)
    sentences = _sentences(passages)
    if not claims:
        return AnswerCheck([])
    if not sentences:
        return AnswerCheck([ClaimCheck(c, Verdict.UNSUPPORTED, 0.0, None, [], "no passage to check against")
                            for c in claims])  # fmt: skip
    # Each clause is checked on its own: "costs $98 (true), or at any convenience store (invented)"
    # must not pass on the strength of its first half.
    clauses = [[c for c in split_clauses(claim) if content_terms(c)] or [claim] for claim in claims]
    flat = [c for group in clauses for c in group]
    vectors = np.asarray(await embedder.embed([*flat, *(s.text for s in sentences)]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosines = np.clip(vectors[: len(flat)] @ vectors[len(flat) :].T, 0.0, 1.0)
    per_passage = [extract_facts(p, generous=True) for p in passages]
    texts = [EvidenceText.of(f"{titles[i]}\n{p}" if i < len(titles) else p) for i, p in enumerate(passages)]
    checks, row = [], 0
    for claim, group in zip(claims, clauses, strict=True):
        rows = cosines[row : row + len(group)]
        row += len(group)
        coverages = [np.array([coverage(content_terms(c), s.window_terms) for s in sentences]) for c in group]
        supports = [_clause_support(rows[k], coverages[k], sentences) for k in range(len(group))]
        # A claim's facts are looked for in the passages that support it (any clause at the bar):
        # "3 days" must not pass against a returns passage because a shipping passage says "3".
        # Every passage at the bar counts, not only the one with the single best sentence: "The
        # clock tower of the Guildhall is 47 metres tall" matches a sentence about the Guildhall's
        # clock in one passage best, while the passage that states its 47 metres supports it too.
        supporting = {
            sentences[j].passage
            for k in range(len(group))
            for j in np.flatnonzero(np.maximum(rows[k], coverages[k]) >= policy.min_support)
        }
        candidates = [i for i in range(len(passages)) if i in supporting or not supporting]
        checks.append(_check_claim(claim, group, supports, sentences, per_passage, texts, candidates, policy, question))
    return AnswerCheck(checks)


def _clause_support(
    cosines: npt.NDArray[np.float32], coverages: npt.NDArray[np.float64], sentences: list[_Sentence]
) -> Evidence:
    """The clause's best evidence sentence: the larger of cosine and coverage decides."""
    best = int(np.argmax(np.maximum(cosines, coverages)))
    return Evidence(sentences[best].passage, sentences[best].text, float(cosines[best]), float(coverages[best]))


def _check_claim(
    claim: str,
    clauses: list[str],
    supports: list[Evidence],
    sentences: list[_Sentence],
    per_passage: list[Facts],
    texts: list[EvidenceText],
    candidates: list[int],  # the passages whose facts count for this claim
    policy: SupportPolicy,
    question: str,
) -> ClaimCheck:
    claimed = extract_facts(claim)
    # Facts must all be stated by one passage: a number borrowed from another topic is not support.
    # A negated claim may name what the passages lack ("nothing about Medicare"): names unchecked.
    names = not negated(claim)
    missing = min(
        (
            missing_facts(claimed, per_passage[i], texts[i] if names else None, policy.min_latin_words_for_names)
            for i in candidates
        ),
        key=len,
    )
    evidence = max(supports, key=lambda e: e.strength)
    if missing:
        return ClaimCheck(claim, Verdict.CONTRADICTED, evidence.strength, evidence, missing,
                          f"states {', '.join(missing)}, which no passage does")  # fmt: skip
    # A negated clause the passages do not cover states an absence ("the schedule does not mention
    # Wi-Fi"), true when the passages indeed lack it; a one-term clause ("According to the policy")
    # and an attribution ("Based on the information provided") carry no claim of their own.
    asserted = [
        k for k, clause in enumerate(clauses)
        if not (negated(clause) and (supports[k].strength < policy.min_support or ABOUT_THE_SOURCES.search(clause)))
        and (len(clauses) == 1 or len(content_terms(clause)) > 1) and not ATTRIBUTION.match(clause)
    ] or [int(np.argmax([e.strength for e in supports]))]  # fmt: skip
    weakest = min(asserted, key=lambda k: supports[k].strength)
    support = supports[weakest].strength
    if all(negated(c) for c in clauses) and support < policy.min_support:
        return ClaimCheck(claim, Verdict.SUPPORTED, policy.min_support, evidence, [],
                          "states that the passages do not say something they do not say")  # fmt: skip
    cross_language = is_cjk_text(claim) != is_cjk_text(evidence.sentence)
    if cross_language or support < policy.min_support:
        # Only across languages may facts alone carry a claim: in the same language a claim must
        # also say what its passage says ("The answer is: 2" is not supported by any "2").
        anchored = _anchored_passage(claimed, per_passage, candidates) if cross_language else None
        if anchored is not None:
            anchor = _fact_sentence(claimed, [s.text for s in sentences if s.passage == anchored])
            evidence = Evidence(anchored, anchor, evidence.similarity, evidence.coverage)
            return ClaimCheck(claim, Verdict.SUPPORTED, max(support, policy.min_support), evidence, [],
                              "its facts all occur in one passage")  # fmt: skip
        if cross_language:
            return ClaimCheck(claim, Verdict.UNVERIFIABLE, support, evidence, [],
                              "written in another language than its passages and states no checkable fact")  # fmt: skip
        return ClaimCheck(claim, Verdict.UNSUPPORTED, support, supports[weakest], [],
                          f"{clauses[weakest]!r} has support {support:.2f} < {policy.min_support:.2f}")  # fmt: skip
    statement = BARE_NO.sub("", claim)
    if (
        BARE_NO.match(claim) and YES_NO_QUESTION.search(question) and not negated(statement)
        and coverage(question_terms(question), content_terms(statement)) >= RESTATES_QUESTION
    ):  # fmt: skip
        # "No, you should choose a larger size" answers no and then affirms what the passage says.
        return ClaimCheck(claim, Verdict.CONTRADICTED, support, evidence, [],
                          "answers 'no' but then states what its passage affirms")  # fmt: skip
    for clause, clause_evidence in zip(clauses, supports, strict=True):
        if negated(clause) and ABOUT_THE_SOURCES.search(clause):
            continue
        if polarity_differs(clause, clause_evidence.sentence):
            return ClaimCheck(claim, Verdict.CONTRADICTED, support, clause_evidence, [],
                              f"{clause!r} negates what its passage states (or the reverse)")  # fmt: skip
    return ClaimCheck(claim, Verdict.SUPPORTED, support, evidence)


def polarity_differs(clause: str, evidence: str) -> bool:
    """Negation of the clause against the evidence's clauses that are about the same thing.

    An evidence clause counts when a third of its terms occur in the claim clause, so a negation
    elsewhere in a long evidence sentence ("…; late arrivals are not admitted") does not.
    """
    terms = content_terms(clause)
    relevant = [
        c for c in split_clauses(evidence)
        if (own := content_terms(c)) and len(own & terms) >= max(1, len(own) / 3)
    ]  # fmt: skip
    if not terms or not relevant or CONDITION.search(clause.strip()):
        return False
    return negated(clause) != any(negated(c) for c in relevant)


def _anchored_passage(claimed: Facts, per_passage: list[Facts], candidates: list[int]) -> int | None:
    """The passage that states every fact of the claim, if the claim has facts (names aside)."""
    if not claimed.checkable():
        return None
    return next((i for i in candidates if not missing_facts(claimed, per_passage[i], None)), None)


def _fact_sentence(claimed: Facts, sentences: list[str]) -> str:
    """The passage sentence that states most of the claim's facts: the one to quote and compare."""
    wanted = {*claimed.numbers, *claimed.amounts, *claimed.dates, *claimed.times}

    def shared(sentence: str) -> int:
        facts = extract_facts(sentence, generous=True)
        return len(wanted & {*facts.numbers, *facts.amounts, *facts.dates, *facts.times})

    return max(sentences, key=shared)
