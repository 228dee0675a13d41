"""Fitting the context passages of a prompt into the route's context window.

The rendered prompt plus the answer's reserve must fit the model's window; when the passages make
it too long they are trimmed here instead of letting the model server fail the call:
- passages keep their rank order, and the lowest-ranked one gives up text first, down to nothing
  (dropped), before a better-ranked one loses any: the retriever's fused rank is a stronger
  relevance signal than the lexical overlap used inside a passage;
- inside a passage the sentences sharing the most question terms are kept with their neighbours,
  in document order, and "…" marks each gap so the model knows text is missing;
- the top passage always keeps its most relevant sentence, cut to the tokens left if need be.

Counting costs one tokenizer round trip per text, so a request is counted three times at most
in the usual case: the full prompt (enough when it fits), the prompt's fixed part with each
passage once, and the final render. Sentences are never sent one by one: each passage's real
count is shared out over its sentences by their estimated weight, and the final render is
counted for real, tightening the room and choosing again if the shares under-counted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from llmops_core.errors import FailedPrecondition, InvalidArgument
from llmops_generation.domain.prompts import PromptTemplate
from llmops_generation.domain.tokens import TokenCounter, estimate_tokens

# A sentence ends at . ! ? before whitespace, after a CJK full stop / mark (no space follows
# those), or at a line break (lists, table rows and headings carry no punctuation).
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])\s*|\n\s*")
# A "sentence" this long is a table or a list run together, or text without punctuation: clause
# marks, then plain windows, give relevance something finer to choose from.
LONG_PIECE_CHARS = 400
CLAUSE_BOUNDARY = re.compile(r"(?<=[,;:，、；：])\s*")
# Kana and CJK ideographs are written without spaces: overlapping character bigrams stand in for
# words, as the retrieval service's full-text index does (decision 0008).
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[^\W_]+")
GAP = "… "
# "…" plus a space is 1-3 tokens in the byte-level vocabularies; charged once per kept sentence.
GAP_TOKENS = 3
# If the shared-out sentence counts under-count, the room shrinks by the overshoot and the
# choice is made again; two corrections have always sufficed, the third is a guard.
VERIFY_ROUNDS = 3
# Chat templates wrap each message in role markers the counter never sees (ChatML: <|im_start|>,
# the role, a newline, <|im_end|>, a newline = 5 tokens; OpenAI documents 3-4), and open the
# assistant's turn with about 3 more.
MESSAGE_FRAME_TOKENS = 6
REPLY_PRIMING_TOKENS = 4


@dataclass(frozen=True)
class PromptBudget:
    """Tokens the prompt may use: the route's window less the answer's reserve and a margin."""

    context_window: int
    output_reserve: int
    safety_margin: int

    @property
    def prompt_tokens(self) -> int:
        return self.context_window - self.output_reserve - self.safety_margin


@dataclass(frozen=True)
class FittedContext:
    passages: tuple[str, ...]  # what to render, in rank order; dropped passages are missing at the end
    prompt_tokens: int  # the sent prompt as counted, chat frame included
    original_tokens: int  # the prompt with every passage whole
    trimmed: int  # passages sent shortened
    dropped: int  # passages not sent at all
    estimated: bool  # counted by the estimate, not the model's tokenizer


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing whitespace, so that joining them gives the text back."""
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_BOUNDARY.finditer(text):
        if match.end() == start:
            continue
        if text[start : match.end()].strip() or not pieces:
            pieces.append(text[start : match.end()])
        else:
            pieces[-1] += text[start : match.end()]
        start = match.end()
    if text[start:].strip() or not pieces:
        pieces.append(text[start:])
    else:
        pieces[-1] += text[start:]
    return [part for piece in pieces for part in _split_long(piece) if part]


def _split_long(piece: str) -> list[str]:
    if len(piece) <= LONG_PIECE_CHARS:
        return [piece]
    parts: list[str] = []
    start = 0
    for match in CLAUSE_BOUNDARY.finditer(piece):
        if match.end() - start >= LONG_PIECE_CHARS // 4:  # clauses too short to stand alone stay joined
            parts.append(piece[start : match.end()])
            start = match.end()
    parts.append(piece[start:])
    return [p[i : i + LONG_PIECE_CHARS] for p in parts for i in range(0, len(p), LONG_PIECE_CHARS)]


def terms(text: str) -> set[str]:
    """Lower-cased words and numbers, and the character bigrams of CJK runs (a lone character stands alone)."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    found = set(WORD.findall(CJK_RUN.sub(" ", lowered)))
    for run in CJK_RUN.findall(lowered):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            found.add(run)
    return found


def relevance(question: str, sentences: Sequence[str]) -> list[float]:
    """Overlap with the question's terms, each weighted by its inverse frequency over these sentences.

    The weight replaces a stop-word list: a term found in nearly every sentence ("the", "的", the
    product name) tells sentences apart no better than chance, in any language.
    """
    wanted = terms(question)
    shared = [terms(s) & wanted for s in sentences]
    frequency = Counter(t for found in shared for t in found)
    weight = {t: math.log(1 + len(sentences) / n) for t, n in frequency.items()}
    return [sum(weight[t] for t in found) for found in shared]


@dataclass(frozen=True)
class _Passage:
    sentences: tuple[str, ...]
    tokens: tuple[int, ...]  # the passage's real count shared out by estimated weight
    order: tuple[int, ...]  # sentence indexes, the one most worth keeping first

    def trimmed(self, room: int) -> str:
        """The sentences that fit in ``room`` tokens, best first, or "" when the best one does not."""
        kept: list[int] = []
        used = GAP_TOKENS
        for i in self.order:
            if used + self.tokens[i] + GAP_TOKENS <= room:
                kept.append(i)
                used += self.tokens[i] + GAP_TOKENS
            elif not kept:
                return ""
        return _joined(self.sentences, sorted(kept))

    def cut(self, room: int) -> str:
        """The best sentence alone cut to ``room`` tokens, at the character its token share falls on."""
        if not self.order:
            return ""
        best = self.order[0]
        sentence = self.sentences[best].strip()
        keep = len(sentence) * max(room - 2 * GAP_TOKENS, 0) // max(self.tokens[best], 1)
        return f"{GAP if best else ''}{sentence[:keep].rstrip()} …" if keep > 0 else ""


def _joined(sentences: Sequence[str], kept: Sequence[int]) -> str:
    parts: list[str] = []
    expected = 0
    for i in kept:
        if i != expected:
            parts.append(GAP)
        parts.append(sentences[i])
        expected = i + 1
    text = "".join(parts).rstrip()
    return f"{text} …" if expected < len(sentences) else text


def _passages(question: str, texts: Sequence[str], counts: Sequence[int]) -> list[_Passage]:
    split = [split_sentences(t) for t in texts]
    scores = relevance(question, [s for sentences in split for s in sentences])
    passages: list[_Passage] = []
    start = 0
    for sentences, count in zip(split, counts, strict=True):
        own = scores[start : start + len(sentences)]
        start += len(sentences)
        weights = [estimate_tokens(s) for s in sentences]
        total = sum(weights) or 1
        best = max(range(len(sentences)), key=lambda i: (own[i], -i), default=0)
        # Ties go to the sentence nearest the best one: trimming keeps text *around* it.
        order = sorted(range(len(sentences)), key=lambda i: (-own[i], abs(i - best), i))
        tokens = tuple(math.ceil(count * w / total) for w in weights)
        passages.append(_Passage(tuple(sentences), tokens, tuple(order)))
    return passages


def _choose(passages: Sequence[_Passage], texts: Sequence[str], counts: Sequence[int], room: int) -> list[str]:
    chosen: list[str] = []
    for rank, (passage, text, count) in enumerate(zip(passages, texts, counts, strict=True)):
        if count <= room:
            chosen.append(text)
            room -= count
            continue
        part = passage.trimmed(room) or (passage.cut(room) if rank == 0 else "")
        if part:
            chosen.append(part)
        break
    return chosen


def _framed(counts: Sequence[int]) -> int:
    return sum(counts) + MESSAGE_FRAME_TOKENS * len(counts) + REPLY_PRIMING_TOKENS


async def fit_contexts(
    question: str, passages: Sequence[str], template: PromptTemplate, budget: PromptBudget, counter: TokenCounter
) -> FittedContext:
    """The passages to send so the rendered prompt fits ``budget``; raises when even the minimal one cannot."""
    limit = budget.prompt_tokens
    full = await counter.count([m["content"] for m in template.render(question, list(passages))])
    original = _framed(full.tokens)
    if original <= limit:
        return FittedContext(tuple(passages), original, original, 0, 0, full.estimated)

    scaffold = [m["content"] for m in template.render(question, [""] * len(passages))]
    counted = await counter.count([*scaffold, *passages])
    fixed = _framed(counted.tokens[: len(scaffold)])
    counts = counted.tokens[len(scaffold) :]
    room = limit - fixed
    if room <= GAP_TOKENS * 3:
        raise InvalidArgument(
            f"the question and the prompt template take {fixed} tokens, and the {budget.context_window}-token "
            f"window of this model route has room for {limit} once {budget.output_reserve} are kept for the "
            "answer: shorten the question or ask for fewer output tokens"
        )
    plans = _passages(question, passages, counts)
    for _ in range(VERIFY_ROUNDS):
        chosen = _choose(plans, passages, counts, room)
        if passages and not chosen:
            break
        sent = await counter.count([m["content"] for m in template.render(question, chosen)])
        total = _framed(sent.tokens)
        if total <= limit:
            trimmed = sum(1 for kept, whole in zip(chosen, passages, strict=False) if kept != whole)
            estimated = full.estimated or sent.estimated
            return FittedContext(tuple(chosen), total, original, trimmed, len(passages) - len(chosen), estimated)
        room -= total - limit
    raise FailedPrecondition(
        f"the context passages could not be trimmed to the {limit} prompt tokens this model route allows; "
        "the prompt was not sent"
    )
