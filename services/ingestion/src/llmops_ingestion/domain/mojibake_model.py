"""The language model behind lossy mojibake repair: which characters and pairs are likely in this text.

Chinese character bigrams and unigrams from jieba's dictionary (word frequencies; Traditional characters
are looked up through their Simplified form), a document cache (characters and pairs that occur in the
certain parts of the same file are likelier), and for everything else a prior by character class whose
shares adapt to the document (a French file makes Han characters unlikely, a Chinese one likely).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from itertools import pairwise

from hanziconv.charmap import simplified_charmap, traditional_charmap

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
OUTSIDE_BMP_CLASS = 1024


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
            # A class with no member in the BMP (a script of the astral planes, which four-byte candidates
            # reach) is taken as OUTSIDE_BMP_CLASS equal members.
            weight = _class_weight(char)
            generic = weight / _class_totals().get(kind, weight * OUTSIDE_BMP_CLASS)
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
