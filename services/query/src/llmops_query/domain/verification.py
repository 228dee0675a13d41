"""Before anyone sees a draft: check it claim by claim, cite what supports it, or answer extractively.

The check itself (claims, facts, negation) is ``llmops_grounding``, shared with the evaluation
service's scorer so that what the front door calls verified and what the scorer calls grounded
are the same judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmops_grounding import AnswerCheck, SupportPolicy, Verdict
from llmops_grounding.text import content_terms, coverage, is_cjk_text, split_sentences
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
    support: float


async def extractive_answer(
    question: str, passages: list[Passage], embedder: Embedder, policy: SupportPolicy
) -> Extract | None:
    """The passage sentences that answer the question, quoted with their citation; None if none does.

    A sentence answers when it (with its neighbours) covers the question's content terms or is close
    to it in embedding space, at the same support bar a claim must clear. Among sentences nearly as
    good, one in the question's language is preferred, so a Chinese question gets a Chinese quote
    where the corpus has one.
    """
    sentences = [(i, s) for i, p in enumerate(passages) for s in split_sentences(p.text)]
    if not sentences:
        return None
    terms = content_terms(question)
    windows = []
    for i, p in enumerate(passages):
        own = [content_terms(s) for s in split_sentences(p.text)]
        windows += [(i, set().union(*own[max(0, k - 1) : k + 2])) for k in range(len(own))]
    vectors = np.asarray(await embedder.embed([question, *(s for _, s in sentences)]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
    lexical = np.array([coverage(terms, window) for _, window in windows])
    support = np.maximum(cosine, lexical)
    order = np.argsort(-support)
    best = int(order[0])
    same_language = [k for k in order if is_cjk_text(sentences[k][1]) == is_cjk_text(question)]
    if same_language and support[same_language[0]] >= 0.9 * support[best]:
        best = int(same_language[0])
    if support[best] < policy.min_support:
        return None
    index, sentence = sentences[best]
    quote = f"「{sentence}」" if is_cjk_text(question) else f"“{sentence}”"
    passage = passages[index]
    source = passage.title or passage.document_id
    text = f"{source}：{quote} [{index + 1}]" if is_cjk_text(question) else f"From {source}: {quote} [{index + 1}]"
    citation = Citation(passage, snippet(passage.text, sentence), round(float(support[best]), 3))
    return Extract(text, [citation], float(support[best]))
