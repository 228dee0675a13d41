"""Repair of lossy mojibake: UTF-8 read as Windows-1252, saved again as UTF-8, with bytes lost on the way.

Windows-1252 decoders drop the five bytes it leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) and 0xAD comes
out as the invisible soft hyphen, which editors drop too. All six are UTF-8 continuation bytes, so every
lead byte survives and says how long its sequence was: a sequence short of continuation bytes had some of
these six at some of its positions. We enumerate those candidates and let a language model choose:

1. Find suspect tokens: a character whose Windows-1252 byte is a UTF-8 lead, with the continuation
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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import combinations, pairwise, product

from hanziconv.charmap import simplified_charmap, traditional_charmap

LOST_BYTES = (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAD)
# Inside a line, damage must be worth about e^10 before a run may start or stop; at a line break e^3.
SWITCH_INLINE, SWITCH_LINE = 10.0, 3.0
# A character that cannot come from the damage (orphan continuation, invalid sequence) inside a mangled run.
IMPOSSIBLE_IN_RUN = 8.0
# A choice whose runner-up is within e^1 of it is reported as uncertain.
UNCERTAIN_MARGIN = 1.0
# Pe/Pf candidates: closing the bracket or quote that is open is likely, closing nothing is not.
PAIRING = 2.0
# Generic shares of non-ASCII characters by class; the document's own counts take over as they grow
# (pseudo-count ALPHA). Unlisted letter scripts get OTHER_SCRIPT each.
CLASS_SHARES = {
    "han": 0.3, "letter:LATIN": 0.25, "punctuation": 0.2, "cjk-punctuation": 0.08, "symbol": 0.03,
    "format": 2e-3, "mark": 2e-3, "control": 1e-5, "private": 1e-6, "unassigned": 1e-7,
}  # fmt: skip
OTHER_SCRIPT, ALPHA = 0.01, 10.0
# Characters seen elsewhere in the document: at most this share of a class's probability, reached as the
# class's count grows past CACHE_RAMP (a cache must not drown the bigram model, which knows the order).
CACHE_WEIGHT, CACHE_RAMP = 0.3, 20.0
# Han after Han: weight of the document's own pairs against jieba's bigram model.
DOC_PAIR_WEIGHT = 0.1
BOUNDARY_FLOOR = 0.1


def _byte_table() -> dict[str, int]:
    table = {}
    for byte in range(0x80, 0x100):
        try:
            table[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            table[chr(byte)] = byte  # "sloppy" decoders keep the undefined bytes as C1 controls
    return table


BYTE_OF = _byte_table()
_SUSPECT = re.compile("[" + re.escape("".join(BYTE_OF)) + "]")
_CERTAIN = re.compile("[^\\x00-\\x7f" + re.escape("".join(BYTE_OF)) + "]")  # what the damage never produces


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
def _candidates(lead: int, present: tuple[int, ...], length: int) -> tuple[str, ...]:
    missing = length - 1 - len(present)
    found = []
    for slots in combinations(range(length - 1), missing):
        for fill in product(LOST_BYTES, repeat=missing):
            inserted, kept = iter(fill), iter(present)
            tail = [next(inserted) if slot in slots else next(kept) for slot in range(length - 1)]
            try:
                found.append(bytes([lead, *tail]).decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return tuple(found)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    position = 0
    while match := _SUSPECT.search(text, position):
        start = match.start()
        length = _sequence_length(BYTE_OF[text[start]])
        end = start + 1
        present: list[int] = []
        while length and end < len(text) and len(present) < length - 1:
            byte = BYTE_OF.get(text[end], 0)
            if not 0x80 <= byte <= 0xBF:
                break
            present.append(byte)
            end += 1
        candidates = _candidates(BYTE_OF[text[start]], tuple(present), length) if length else ()
        tokens.append(_Token(start, end, candidates, length > 0 and len(present) == length - 1))
        position = end
    return tokens


def _is_han(code: int) -> bool:
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code >= 0x20000


@cache
def _char_class(char: str) -> str:
    code, category = ord(char), unicodedata.category(char)
    if category == "Cn":
        return "unassigned"
    kind = {"Cc": "control", "Cs": "control", "Co": "private", "Cf": "format"}.get(category)
    if kind:
        return kind
    if category[0] == "M":
        return "mark"
    if _is_han(code):
        return "han"
    if 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF:
        return "cjk-punctuation"
    if category[0] == "L":
        return "letter:" + unicodedata.name(char, "? ?").split(" ")[0]
    return "punctuation" if category[0] == "P" or category == "Zs" else "symbol"


@cache
def _class_weight(char: str) -> float:
    """Relative frequency of a character within its class, from where Unicode puts it.

    The accented letters of the major European languages are in Latin-1 and Latin Extended-A; lowercase
    outnumbers uppercase about ten to one in running text; the punctuation people type (curly quotes,
    dashes, ellipsis, bullet) is U+2010-U+2027 and the Latin-1 signs; CJK and full-width punctuation
    (U+3000-U+303F, U+FF01-U+FF0F) is what Chinese text uses; symbols and the rest are rarer.
    """
    code, category = ord(char), unicodedata.category(char)
    if category[0] == "L":
        block = 1.0 if code <= 0xFF else 0.3 if code <= 0x17F else 0.05
        return block * (0.1 if category == "Lu" else 1.0)
    common = code <= 0xFF or 0x2010 <= code <= 0x2027 or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF0F
    return (1.0 if common else 0.1) * (1.0 if category[0] in "PZ" else 0.3)


@cache
def _class_totals() -> dict[str, float]:
    """Normalisers of _class_weight, so each class's characters share the class's probability."""
    totals: dict[str, float] = {}
    for code in range(0x80, 0x10000):  # the BMP; rarer planes share its normalisers
        char = chr(code)
        kind = _char_class(char)
        totals[kind] = totals.get(kind, 0.0) + _class_weight(char)
    return totals


class ChineseModel:
    """Character unigrams and within-word bigrams from jieba's dictionary (Simplified, by frequency)."""

    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        self.unigram: Counter[str] = Counter()
        self.bigram: Counter[str] = Counter()
        self.left: Counter[str] = Counter()
        for word, frequency in words:
            for index, char in enumerate(word):
                self.unigram[char] += frequency
                if index:
                    self.bigram[word[index - 1 : index + 1]] += frequency
                    self.left[word[index - 1]] += frequency
        self.total = sum(self.unigram.values())
        self.simplified = {t: s for t, s in zip(traditional_charmap, simplified_charmap, strict=True) if t != s}
        self.simplified_only = set(self.simplified.values()) - set(self.simplified)

    def unigram_p(self, char: str) -> float:
        # Half a count for characters jieba never saw; 0x5200 is about the size of the unified block.
        return (self.unigram[self.simplified.get(char, char)] + 0.5) / (self.total + 0.5 * 0x5200)

    def after(self, previous: str, char: str, unigram: float) -> float:
        """P(char | previous): inside a word as often as jieba's words continue `previous`, else `unigram`.

        In-word pairs: count(previous char) / count(previous); the word ends after `previous` as often as
        it is word-final in jieba's words (at least BOUNDARY_FLOOR: a dictionary lists whole words, running
        text also has a character alone), so a rare pair stays rare.
        """
        previous = self.simplified.get(previous, previous)
        seen = self.unigram[previous]
        if not seen:
            return unigram
        pair = self.bigram[previous + self.simplified.get(char, char)] / seen
        return pair + max(1 - self.left[previous] / seen, BOUNDARY_FLOOR) * unigram


@cache
def chinese_model() -> ChineseModel:
    def words() -> Iterable[tuple[str, int]]:
        with (resources.files("jieba") / "dict.txt").open(encoding="utf-8") as lines:
            for line in lines:
                word, frequency, _ = line.split(" ", 2)
                yield word, int(frequency)

    return ChineseModel(words())


class DocumentModel:
    """Log-probabilities of non-ASCII characters for one document: class prior, document cache, jieba."""

    def __init__(self, certain: Iterable[str], chinese: ChineseModel) -> None:
        self.chinese = chinese
        self.chars: Counter[str] = Counter()
        self.pairs: Counter[str] = Counter()
        for piece in certain:
            self.chars.update(char for char in piece if char >= "\x80")
            self.pairs.update(a + b for a, b in pairwise(piece) if a >= "\x80" <= b)
        self.classes: Counter[str] = Counter()
        for char, count in self.chars.items():
            self.classes[_char_class(char)] += count
        self.size = self.classes.total()
        # Traditional and Simplified forms share jieba's counts; the document says which script it uses.
        simplified = chinese.simplified
        traditional = sum(count for char, count in self.chars.items() if char in simplified)
        plain = sum(count for char, count in self.chars.items() if char in chinese.simplified_only)
        both = traditional + plain + 2
        self.script_factor = (2 * (traditional + 1) / both, 2 * (plain + 1) / both)
        self._unigram: dict[str, float] = {}
        self._bigram: dict[str, float] = {}

    def _share(self, kind: str) -> float:
        """The class's share of non-ASCII characters: generic prior, taken over by the document's counts."""
        return (self.classes[kind] + ALPHA * CLASS_SHARES.get(kind, OTHER_SCRIPT)) / (self.size + ALPHA)

    def _within(self, char: str, kind: str) -> float:
        """P(char | class): the class's generic distribution mixed with the document cache."""
        if kind == "han":
            generic = self.chinese.unigram_p(char) * self._script_factor(char)
        else:
            generic = _class_weight(char) / _class_totals()[kind]
        seen = self.classes[kind]
        if not seen:
            return generic
        cache_weight = CACHE_WEIGHT * seen / (seen + CACHE_RAMP)
        return cache_weight * self.chars[char] / seen + (1 - cache_weight) * generic

    def _script_factor(self, char: str) -> float:
        if char in self.chinese.simplified:
            return self.script_factor[0]
        return self.script_factor[1] if char in self.chinese.simplified_only else 1.0

    def logp(self, char: str) -> float:
        if char < "\x80":
            return 0.0  # ASCII is the same in both readings: it never decides anything
        if char not in self._unigram:
            kind = _char_class(char)
            self._unigram[char] = math.log(self._share(kind) * self._within(char, kind))
        return self._unigram[char]

    def logp_after(self, previous: str, char: str) -> float:
        """Han after Han: jieba's in-word bigram and the document's own pairs, backing off to logp."""
        if not (_char_class(previous) == "han" == _char_class(char)):
            return self.logp(char)
        key = previous + char
        if key not in self._bigram:
            within = self.chinese.after(previous, char, self._within(char, "han"))
            seen = self.chars[previous]
            if seen:
                within = (1 - DOC_PAIR_WEIGHT) * within + DOC_PAIR_WEIGHT * self.pairs[key] / seen
            self._bigram[key] = math.log(self._share("han") * within)
        return self._bigram[key]


def repair_lossy_mojibake(text: str) -> MojibakeRepair:
    """Repair the damaged spans of a text; text with no damage comes back unchanged (the same string)."""
    tokens = _tokens(text)
    if not any(token.candidates for token in tokens):
        return MojibakeRepair(text)
    chinese = chinese_model()
    # First pass: only what no token touches is certain; the second adds what the first pass decided.
    bounds = zip([0, *(token.end for token in tokens)], [*(token.start for token in tokens), len(text)], strict=True)
    unread = [text[end:start] for end, start in bounds]
    mangled = _mangled(text, tokens, DocumentModel(unread, chinese))
    if not any(mangled):
        return MojibakeRepair(text)
    model = DocumentModel(_certain_pieces(text, tokens, mangled), chinese)
    pairs = _awaited_pairs(text, tokens, mangled)
    pieces, spans, uncertain, position = [], [], 0, 0
    for run in _runs(text, tokens, mangled):
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
    return MojibakeRepair("".join(pieces), tuple(spans), uncertain)


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


def _mangled(text: str, tokens: Sequence[_Token], model: DocumentModel) -> list[bool]:
    """Viterbi over two states, clean and mangled, scoring each token's literal and decoded readings.

    A run may start or stop cheaply only at a line break with nothing but ASCII between it and the run,
    and cannot hold a character the damage never produces (Han, emoji: not in Windows-1252).
    """
    score, back, previous_end = (0.0, -math.inf), [], 0
    for token in tokens:
        gap = text[previous_end : token.start] if previous_end else "\n" + text[: token.start]
        head, _, _ = gap.partition("\n")
        _, _, tail = gap.rpartition("\n")
        leave = SWITCH_LINE if "\n" in gap and head.isascii() else SWITCH_INLINE
        enter = SWITCH_LINE if "\n" in gap and tail.isascii() else SWITCH_INLINE
        stay = leave + enter if _CERTAIN.search(gap) else 0.0
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


def _runs(text: str, tokens: Sequence[_Token], mangled: Sequence[bool]) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    for index, token in enumerate(tokens):
        if mangled[index]:
            if index and mangled[index - 1] and not _CERTAIN.search(text, tokens[index - 1].end, token.start):
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
