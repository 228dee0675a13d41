"""Repair of lossy mojibake: UTF-8 read as a single-byte code page, saved again as UTF-8, bytes lost on the way.

The code page is detected from the damage (codepages.py: Windows-1252, -1254, -1250, ...). Its decoders
drop the bytes it leaves undefined (Windows-1252: 0x81 0x8D 0x8F 0x90 0x9D; -1254 also 0x8E 0x9E) and
0xAD comes out as the invisible soft hyphen, which editors drop too. All of them are UTF-8 continuation
bytes, so every lead byte survives and says how long its sequence was: a sequence short of continuation
bytes had some of the lost bytes at some of its positions. We enumerate those candidates and let a
language model choose:

1. Find suspect tokens: a character whose code-page byte is a UTF-8 lead, with the continuation
   characters that follow it. Orphan continuation characters cannot come from the damage.
2. Decide which tokens are mojibake with a two-state Viterbi pass (clean / mangled) over the tokens:
   literal characters against decoded ones under a unigram model, with a switching cost that is low at
   line breaks (damage comes by paragraph) and high inside a line (one lone "Ã" in a name is not enough).
3. In each mangled run choose among the candidates by dynamic programming with a character bigram model.

The model: Chinese character bigrams and unigrams from jieba's dictionary (word frequencies; Traditional
characters are looked up through their Simplified form), a document cache (characters and pairs that occur
in the certain parts of the same file are likelier), and for everything else a prior by character class
whose shares adapt to the document (a French file makes Han characters unlikely, a Chinese one likely).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

from llmops_ingestion.domain.codepages import Codepage, detect_codepage
from llmops_ingestion.domain.mojibake_model import DocumentModel, chinese_model

# Inside a line, damage must be worth about e^10 before a run may start or stop; at a line break e^3.
SWITCH_INLINE, SWITCH_LINE = 10.0, 3.0
# A character that cannot come from the damage (orphan continuation, invalid sequence) inside a mangled run.
IMPOSSIBLE_IN_RUN = 8.0
# A choice whose runner-up is within e^1 of it is reported as uncertain.
UNCERTAIN_MARGIN = 1.0
# Pe/Pf candidates: closing the bracket or quote that is open is likely, closing nothing is not.
PAIRING = 2.0


@dataclass(frozen=True)
class RepairedSpan:
    offset: int  # in the text given to repair_lossy_mojibake
    garbled: str
    repaired: str


@dataclass(frozen=True)
class MojibakeRepair:
    text: str
    spans: tuple[RepairedSpan, ...] = ()
    uncertain: int = 0  # characters chosen within UNCERTAIN_MARGIN of another, or left undecodable
    codepage: str = ""  # the code page the damage came from (its label), when anything was repaired

    @property
    def repaired_characters(self) -> int:
        return sum(len(span.repaired) for span in self.spans)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    candidates: tuple[str, ...]  # what the bytes can stand for; empty: cannot be damage
    complete: bool


def _sequence_length(lead: int) -> int:
    return 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0


@lru_cache(maxsize=65536)
def _candidates(lead: int, present: tuple[int, ...], length: int, lost: tuple[int, ...]) -> tuple[str, ...]:
    missing = length - 1 - len(present)
    found = []
    for slots in combinations(range(length - 1), missing):
        for fill in product(lost, repeat=missing):
            inserted, kept = iter(fill), iter(present)
            tail = [next(inserted) if slot in slots else next(kept) for slot in range(length - 1)]
            try:
                found.append(bytes([lead, *tail]).decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return tuple(found)


def _tokens(text: str, page: Codepage) -> list[_Token]:
    tokens = []
    position = 0
    byte_of = page.byte_of
    while match := page.suspect.search(text, position):
        start = match.start()
        length = _sequence_length(byte_of[text[start]])
        end = start + 1
        present: list[int] = []
        while length and end < len(text) and len(present) < length - 1:
            byte = byte_of.get(text[end], 0)
            if not 0x80 <= byte <= 0xBF:
                break
            present.append(byte)
            end += 1
        candidates = _candidates(byte_of[text[start]], tuple(present), length, page.lost_bytes) if length else ()
        tokens.append(_Token(start, end, candidates, length > 0 and len(present) == length - 1))
        position = end
    return tokens


def repair_lossy_mojibake(text: str, page: Codepage | None = None) -> MojibakeRepair:
    """Repair the damaged spans of a text; text with no damage comes back unchanged (the same string).

    ``page`` is the code page that did the damage; by default it is detected from the text."""
    page = page or detect_codepage(text)
    tokens = _tokens(text, page)
    if not any(token.candidates for token in tokens):
        return MojibakeRepair(text)
    chinese = chinese_model()
    # First pass: only what no token touches is certain; the second adds what the first pass decided.
    bounds = zip([0, *(token.end for token in tokens)], [*(token.start for token in tokens), len(text)], strict=True)
    unread = [text[end:start] for end, start in bounds]
    mangled = _mangled(text, tokens, DocumentModel(unread, chinese), page.certain)
    if not any(mangled):
        return MojibakeRepair(text)
    model = DocumentModel(_certain_pieces(text, tokens, mangled), chinese)
    pairs = _awaited_pairs(text, tokens, mangled)
    pieces, spans, uncertain, position = [], [], 0, 0
    for run in _runs(text, tokens, mangled, page.certain):
        chosen, unsure = _choose(text, run, model, [pairs[token.start] for token in run])
        uncertain += unsure
        start, end = run[0].start, run[-1].end
        repaired = [text[position:start]]
        for token, following, option in zip(run, [*run[1:], None], chosen, strict=True):
            repaired += [option, text[token.end : following.start if following else token.end]]
        pieces += repaired
        spans.append(RepairedSpan(start, text[start:end], "".join(repaired[1:])))
        position = end
    pieces.append(text[position:])
    return MojibakeRepair("".join(pieces), tuple(spans), uncertain, page.label)


def _certain_pieces(text: str, tokens: Sequence[_Token], mangled: Sequence[bool]) -> list[str]:
    """Stretches of text whose reading is certain: clean text, and mangled sequences that lost no byte."""
    pieces, current, position = [], [], 0
    for token, damaged in zip(tokens, mangled, strict=True):
        current.append(text[position : token.start])
        if not damaged:
            current.append(text[token.start : token.end])
        elif token.complete and token.candidates:
            current.append(token.candidates[0])
        else:
            pieces.append("".join(current))
            current = []
        position = token.end
    return [*pieces, "".join(current), text[position:]]


def _mangled(text: str, tokens: Sequence[_Token], model: DocumentModel, certain: re.Pattern[str]) -> list[bool]:
    """Viterbi over two states, clean and mangled, scoring each token's literal and decoded readings.

    A run may start or stop cheaply only at a line break with nothing but ASCII between it and the run,
    and cannot hold a character the damage never produces (Han, emoji: not in the code page).
    """
    score, back, previous_end = (0.0, -math.inf), [], 0
    for token in tokens:
        gap = text[previous_end : token.start] if previous_end else "\n" + text[: token.start]
        head, _, _ = gap.partition("\n")
        _, _, tail = gap.rpartition("\n")
        leave = SWITCH_LINE if "\n" in gap and head.isascii() else SWITCH_INLINE
        enter = SWITCH_LINE if "\n" in gap and tail.isascii() else SWITCH_INLINE
        stay = leave + enter if certain.search(gap) else 0.0
        literal = sum(model.logp(char) for char in text[token.start : token.end])
        if token.candidates:
            decoded = _logsumexp([model.logp(char) for char in token.candidates])
        else:
            decoded = literal - IMPOSSIBLE_IN_RUN
        to_clean, to_mangled = (score[0], score[1] - leave), (score[1] - stay, score[0] - enter)
        back.append((int(to_clean[1] > to_clean[0]), int(to_mangled[1] <= to_mangled[0])))
        score = (max(to_clean) + literal, max(to_mangled) + decoded)
        previous_end = token.end
    state = int(score[1] > score[0])
    states = []
    for pointers in reversed(back):
        states.append(state == 1)
        state = pointers[state]
    return states[::-1]


def _runs(text: str, tokens: Sequence[_Token], mangled: Sequence[bool], certain: re.Pattern[str]) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    for index, token in enumerate(tokens):
        if mangled[index]:
            if index and mangled[index - 1] and not certain.search(text, tokens[index - 1].end, token.start):
                runs[-1].append(token)
            else:
                runs.append([token])
    return runs


def _awaited_pairs(text: str, tokens: Sequence[_Token], mangled: Sequence[bool]) -> dict[int, tuple[str, str]]:
    """For each damaged token, the closer its paragraph awaits there, and the opener read backwards.

    Openers (Ps/Pi) pair with the next code point when that is a closer (「」 『』 【】 “” ‘’). A damaged
    token that can be the awaited partner is assumed to be it, so later tokens see the stack after it.
    """
    damaged = {token.start: token for token, hit in zip(tokens, mangled, strict=True) if hit}
    inside = {index for token in damaged.values() for index in range(token.start + 1, token.end)}
    items: list[str | _Token] = []
    for match in re.finditer(r"[^\x00-\x09\x0b-\x7f]", text):
        token = damaged.get(match.start())
        if token is not None and token.complete and token.candidates:
            items.append(token.candidates[0])
        elif token is not None:
            items.append(token)
        elif match.start() not in inside:
            items.append(match.group())
    forward = _scan(items, ("Ps", "Pi"), ("Pe", "Pf"), 1)
    backward = _scan(items[::-1], ("Pe", "Pf"), ("Ps", "Pi"), -1)
    return {start: (forward.get(start, ""), backward.get(start, "")) for start in damaged}


def _scan(
    items: Sequence[str | _Token], opening: tuple[str, ...], closing: tuple[str, ...], step: int
) -> dict[int, str]:
    awaited: dict[int, str] = {}
    stack: list[str] = []
    for item in items:
        if isinstance(item, _Token):
            if stack:
                awaited[item.start] = stack[-1]
                if stack[-1] in item.candidates:
                    stack.pop()
        elif item == "\n":
            stack.clear()
        elif unicodedata.category(item) in opening and 0 < ord(item) + step < 0x110000:
            partner = chr(ord(item) + step)
            if unicodedata.category(partner) in closing:
                stack.append(partner)
        elif stack and stack[-1] == item:
            stack.pop()
    return awaited


def _choose(
    text: str, run: Sequence[_Token], model: DocumentModel, pairs: Sequence[tuple[str, str]]
) -> tuple[list[str], int]:
    """Best reading of a run of damaged tokens by dynamic programming over a character bigram model."""
    options = [token.candidates or (text[token.start : token.end],) for token in run]

    def own(index: int, option: str) -> float:
        category = unicodedata.category(option) if len(option) == 1 else ""
        if category not in ("Pe", "Pf", "Ps", "Pi"):
            return 0.0
        return PAIRING if option in pairs[index] else -PAIRING

    def link(index: int, left: str, right: str) -> float:
        """Log-probability of `right` (option of token `index`) after `left` (option of the token before)."""
        gap = text[run[index - 1].end : run[index].start]
        if not gap:
            return model.logp_after(left[-1], right[0])
        follow = model.logp_after(left[-1], gap[0]) - model.logp(gap[0])
        return follow + model.logp_after(gap[-1], right[0])

    before = text[run[0].start - 1] if run[0].start else " "
    after = text[run[-1].end] if run[-1].end < len(text) else " "
    scores = [model.logp_after(before, option[0]) + own(0, option) for option in options[0]]
    back: list[list[int]] = []
    for index in range(1, len(run)):
        step_scores, step_back = [], []
        for option in options[index]:
            linked = [score + link(index, left, option) for score, left in zip(scores, options[index - 1], strict=True)]
            best = max(range(len(linked)), key=linked.__getitem__)
            step_scores.append(linked[best] + own(index, option))
            step_back.append(best)
        scores, back = step_scores, [*back, step_back]
    scores = [s + model.logp_after(o[-1], after) - model.logp(after) for s, o in zip(scores, options[-1], strict=True)]
    choice = [max(range(len(scores)), key=scores.__getitem__)]
    for step_back in reversed(back):
        choice.append(step_back[choice[-1]])
    chosen = [options[index][pick] for index, pick in enumerate(reversed(choice))]
    unsure = 0
    for index, token in enumerate(run):
        if len(options[index]) < 2:
            unsure += not token.candidates
            continue
        local = []
        for option in options[index]:
            score = own(index, option)
            score += link(index, chosen[index - 1], option) if index else model.logp_after(before, option[0])
            if index + 1 < len(run):
                score += link(index + 1, option, chosen[index + 1])
            else:
                score += model.logp_after(option[-1], after) - model.logp(after)
            local.append(score)
        local.sort(reverse=True)
        unsure += local[0] - local[1] < UNCERTAIN_MARGIN
    return chosen, unsure


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(value - top) for value in values))
