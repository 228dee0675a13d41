"""Before anyone sees a draft: check it claim by claim, cite what supports it, or answer extractively.

The check itself (claims, facts, negation) is ``llmops_grounding``, shared with the evaluation
service's scorer so that what the front door calls verified and what the scorer calls grounded
are the same judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from llmops_grounding import AnswerCheck, SupportPolicy, Verdict, extract_facts
from llmops_grounding.asked import Asked, asked_for, new_names
from llmops_grounding.text import (
    QUANTITY_QUESTION,
    content_terms,
    is_cjk_text,
    question_terms,
    rarity_weights,
    sentence_windows,
    weighted_coverage,
)
from llmops_query.domain.answers import Citation, Embedder, Passage

SNIPPET_CHARS = 320


def snippet(passage: str, sentence: str) -> str:
    """The supporting sentence with a little of what surrounds it, cut at the edges with an ellipsis."""
    at = passage.find(sentence)
    if at < 0:
        return sentence[:SNIPPET_CHARS]
    spare = max(0, SNIPPET_CHARS - len(sentence)) // 2
    start, end = max(0, at - spare), min(len(passage), at + len(sentence) + spare)
    return ("…" if start else "") + passage[start:end].strip() + ("…" if end < len(passage) else "")


def citations_from(check: AnswerCheck, passages: list[Passage]) -> list[Citation]:
    """The passages that support the final answer, each once, with its best supporting sentence."""
    best: dict[int, tuple[str, float]] = {}
    for claim in check.claims:
        if claim.verdict is not Verdict.SUPPORTED or claim.evidence is None:
            continue
        index, strength = claim.evidence.passage, claim.support
        if index not in best or strength > best[index][1]:
            best[index] = (claim.evidence.sentence, strength)
    return [
        Citation(passages[i], snippet(passages[i].text, sentence), round(min(1.0, strength), 3))
        for i, (sentence, strength) in sorted(best.items())
    ]


@dataclass(frozen=True)
class Extract:
    text: str
    citations: list[Citation]


@dataclass(frozen=True)
class Candidate:
    passage: int
    sentence: str
    terms: set[str]  # of the sentence with its neighbours


MAX_QUOTE_CHARS = 400


def _candidates(passages: list[Passage]) -> list[Candidate]:
    """Sentences that could answer: statements (not questions) with some content, not page-long runs."""
    return [
        Candidate(index, w.sentence, w.window)
        for index, passage in enumerate(passages)
        for w in sentence_windows(passage.text)
        if not w.sentence.rstrip().endswith(("?", "？")) and len(w.terms) >= 3 and len(w.sentence) <= MAX_QUOTE_CHARS
    ]


async def question_support(
    question: str, sentences: list[str], terms: list[set[str]], embedder: Embedder, ranking: bool = True
) -> npt.NDArray[np.float32]:
    """How well each sentence answers the question: the larger of embedding cosine and the coverage of
    the question's terms, each weighted by its rarity among these sentences (topic words count little).
    ``ranking`` compares candidates with each other; without it the score is absolute (relevance)."""
    asked = question_terms(question)
    if is_cjk_text(question):
        # The served embedder (MiniLM) is English: its cosines between Chinese texts are noise that
        # would outvote the term evidence, so Chinese questions are matched on their terms alone; and
        # bigrams no candidate holds (mostly across word boundaries) cannot tell candidates apart —
        # whether the corpus covers the question at all was the support gate's decision.
        kept = {t for t in asked if any(t in own for own in terms)} if ranking else asked
        weights = rarity_weights(kept, terms)
        return np.array([weighted_coverage(weights, own) for own in terms], dtype=np.float32)
    weights = rarity_weights(asked, terms)
    lexical = np.array([weighted_coverage(weights, own) for own in terms])
    vectors = np.asarray(await embedder.embed([question, *sentences]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
    return np.maximum(cosine, lexical)


async def answers_question(question: str, citations: list[Citation], embedder: Embedder, bar: float) -> bool:
    """A verified draft must also be about the question: some sentence it rests on answers it."""
    if not citations:
        return False
    sentences = [c.snippet for c in citations]
    terms = [content_terms(s) for s in sentences]
    support = await question_support(question, sentences, terms, embedder, ranking=False)
    return float(support.max()) >= bar


async def extractive_answer(
    question: str, passages: list[Passage], embedder: Embedder, policy: SupportPolicy
) -> Extract | None:
    """The passage sentence that answers the question, quoted with its citation; None if none does.

    A sentence answers when it supports the question at the same bar a claim must clear; a question
    asking for a quantity, time or date needs a sentence that states one, and one asking who needs a
    sentence naming someone the question does not. Among sentences nearly as
    good, one in the question's language is preferred, so a Chinese question gets a Chinese quote
    where the corpus has one.
    """
    candidates = _candidates(passages)
    if QUANTITY_QUESTION.search(question):
        candidates = [c for c in candidates if extract_facts(c.sentence, generous=True).checkable()]
    if asked_for(question) is Asked.PERSON:
        # Quote a sentence that names someone the question does not (names are found in Latin text only).
        candidates = [c for c in candidates if is_cjk_text(c.sentence) or new_names(c.sentence, question)]
    if not candidates:
        return None
    support = await question_support(question, [c.sentence for c in candidates], [c.terms for c in candidates],
                                     embedder)  # fmt: skip
    order = [int(k) for k in np.argsort(-support)]
    best = order[0]
    same_language = [k for k in order if is_cjk_text(candidates[k].sentence) == is_cjk_text(question)]
    if same_language and support[same_language[0]] >= 0.9 * support[best]:
        best = same_language[0]
    if support[best] < policy.min_support:
        return None
    chosen = candidates[best]
    quote = f"「{chosen.sentence}」" if is_cjk_text(question) else f"“{chosen.sentence}”"
    passage = passages[chosen.passage]
    citation = Citation(passage, snippet(passage.text, chosen.sentence), round(float(support[best]), 3))
    return Extract(f"{quote} [{chosen.passage + 1}]", [citation])
