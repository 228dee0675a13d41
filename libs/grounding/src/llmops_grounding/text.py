"""Text pieces both checks need: sentences, scripts, content terms and negation cues (EN and ZH)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import snowballstemmer
from hanziconv.charmap import simplified_charmap, traditional_charmap

# hanziconv's two aligned strings: the i-th Traditional character is the i-th Simplified one.
SIMPLIFIED = {t: s for t, s in zip(traditional_charmap, simplified_charmap, strict=True) if t != s}

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z0-9])|(?<=[。！？；])|\n+")
# Abbreviations whose full stop does not end a sentence (a closed class of English writing).
ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|No|Mt|Jr|Sr|vs|approx|e\.g|i\.e)\.$", re.I)
CLAUSE_END = re.compile(r"[,，;；、]|(?<!\d)[:：](?!\d)|\s(?:and|but|or|while|whereas)\s")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[a-z][a-z\-]*")
# The function words of English (the usual search-engine stop list). Content terms are what is
# left: a claim "supported" only by shared function words is not supported.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "according",
        "context",
        "passage",
        "answer",
        "question",
        "yes",
    ]
)
# Negation in English and Chinese. The few Chinese compounds that contain a negating character
# without negating (非常 "very", 不同 "different", …) are masked first: a closed linguistic class.
# Prohibitions ("avoid", 避免, 禁止) negate as much as "not" does.
NEGATION_EN = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|avoid|prohibited|forbidden|banned)\b|n't\b"
)
NEGATION_ZH = re.compile(r"[不沒没無无未非別别勿]|避免|禁止|嚴禁|严禁")
NOT_NEGATING_ZH = re.compile(
    r"非常|不同|不僅|不仅|不過|不过|無論|无论|無線|无线|未來|未来|不斷|不断|不錯|不错|並非|别人|別人|無障礙|无障碍"
    r"|[分特區区類类個个級级性告識识辨]別|[分特區区類类個个級级性告識识辨]别"
)
# A condition ("if you don't …", 如果沒有…) asserts nothing: its polarity is not compared.
CONDITION = re.compile(r"^(?:if|unless|when|whether)\b|^(?:如果|若|假如|倘若|除非)", re.IGNORECASE)


def normalized(text: str) -> str:
    """NFKC folds full-width digits and letters (３０ → 30) so equal facts compare equal, and
    Traditional characters fold to Simplified: an answer in one script about a passage in the other
    (a model may answer 柳溪鎮's question with 柳溪镇) states the same names and terms."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    return _to_simplified(folded) if CJK.search(folded) else folded


def _to_simplified(text: str) -> str:
    # Character by character, so positions and lengths stay those of the text as written.
    return "".join(SIMPLIFIED.get(ch, ch) for ch in text)


def split_sentences(text: str) -> list[str]:
    pieces = [s.strip() for s in SENTENCE_END.split(text.replace("\r", "")) if s.strip()]
    joined: list[str] = []
    for piece in pieces:
        if joined and ABBREVIATION.search(joined[-1]):
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return [s for s in joined if len(s) > 1]


def split_clauses(sentence: str) -> list[str]:
    return [c.strip() for c in CLAUSE_END.split(sentence) if c and c.strip()]


@dataclass(frozen=True)
class SentenceWindow:
    sentence: str
    terms: set[str]  # the sentence's own content terms
    window: set[str]  # with those of its neighbours: a statement may span two sentences


def sentence_windows(text: str) -> list[SentenceWindow]:
    sentences = split_sentences(text)
    terms = [content_terms(s) for s in sentences]
    return [
        SentenceWindow(sentence, terms[k], set().union(*terms[max(0, k - 1) : k + 2]))
        for k, sentence in enumerate(sentences)
    ]


def is_cjk_text(text: str) -> bool:
    """Mostly Chinese: CJK characters outnumber Latin words."""
    return len(CJK.findall(text)) > len(LATIN_WORD.findall(text.lower()))


@cache
def _stem(word: str) -> str:
    return str(_ENGLISH.stemWord(word))


_ENGLISH = snowballstemmer.stemmer("english")


def content_terms(text: str) -> set[str]:
    """Stemmed Latin content words (Snowball) and CJK character bigrams; numbers are facts, not terms."""
    lowered = normalized(text).lower()
    terms = {_stem(w) for w in LATIN_WORD.findall(lowered) if w not in STOP_WORDS}
    for run in CJK_RUN.findall(lowered):
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            terms.add(run)
    return {t for t in terms if len(t) > 1 or CJK.match(t)}


def coverage(claim_terms: set[str], evidence_terms: set[str]) -> float:
    """Share of the claim's content terms that the evidence contains."""
    if not claim_terms:
        return 0.0
    return len(claim_terms & evidence_terms) / len(claim_terms)


# Questions that ask for a quantity, a time or a date (a closed class of interrogatives): only a
# sentence that states a number, time or date can answer them.
QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much|long|far|often|old|soon|early|late|big|heavy|high|wide)\b|\bwhat (?:time|year|date|day|"
    r"percentage|rate|price|fee)\b|\bwhen\b|多少|[幾几]|多久|多[長长]|何[時时]|什[麼么][時时]候|哪一?天|百分之",
    re.IGNORECASE,
)


# Chinese interrogatives (who, what, which, why, how) with a copula before them: 镇长是谁 asks, and
# its bigrams 是谁 and 长是 would otherwise count as terms an answering sentence lacks.
INTERROGATIVE_ZH = re.compile(r"是?(?:谁|誰|什[么麼]|哪[一个個位家座些里裡]?|[为為]什[么麼]|如何|怎[么麼][样樣]?)")


def question_terms(question: str) -> set[str]:
    """Content terms of a question without its interrogative ("how long", 多少, 是谁): those ask, not tell."""
    return content_terms(INTERROGATIVE_ZH.sub(" ", QUANTITY_QUESTION.sub(" ", question)))


def rarity_weights(terms: set[str], held: list[set[str]]) -> dict[str, float]:
    """Each term weighted by how few of the given passages hold it: shared topic words count little."""
    return {t: 1.0 / (1 + sum(t in own for own in held)) for t in terms}


def weighted_coverage(weights: dict[str, float], own: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in own) / total if total else 0.0


def negated(text: str) -> bool:
    lowered = normalized(text).lower()
    return bool(NEGATION_EN.search(lowered) or NEGATION_ZH.search(NOT_NEGATING_ZH.sub("", lowered)))
