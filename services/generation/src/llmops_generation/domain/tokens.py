"""Counting prompt tokens: the port to a model's own tokenizer, and the estimate used where none is reachable."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Where the endpoint cannot tokenize for us, guess high rather than low: an over-count only trims
# a passage that would have fit, an under-count turns into the model server's context error.
# Checked against SmolLM2's small English-centric vocabulary, the worst case at hand (real/estimate):
# English prose 251/466, German 44/47, order numbers, dates and URLs 67/67, Chinese 1010/1048,
# Japanese 40/40. Large hosted vocabularies (cl100k, o200k) need fewer tokens for all of these.
# - Kana and CJK ideographs: 2 tokens each. A byte-level vocabulary without a merge for a
#   character spends 2-3 pieces on its 3 UTF-8 bytes (SmolLM2: 1.8 a Chinese character, 2.0 a
#   Japanese one); o200k spends 0.6-1, so Chinese is over-counted up to 3x there.
# - Digits: 1 each, since Llama-family and SmolLM2 vocabularies split numbers digit by digit.
# - Everything else: UTF-8 bytes / 2.5; English averages about 4.5 bytes a token.
CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
DIGIT = re.compile(r"[0-9]")
TOKENS_PER_CJK_CHAR = 2
BYTES_PER_TOKEN = 2.5


@dataclass(frozen=True)
class TokenCounts:
    tokens: tuple[int, ...]
    # True when the counts come from estimate_tokens, not from the model's tokenizer: telemetry
    # says so, so a dashboard never presents a guess as a measurement.
    estimated: bool


class TokenCounter(Protocol):
    async def count(self, texts: Sequence[str]) -> TokenCounts:
        """Tokens of each text, as the route's model would see it (one count per text, same order)."""
        ...


def estimate_tokens(text: str) -> int:
    cjk = len(CJK_CHAR.findall(text))
    digits = len(DIGIT.findall(text))
    rest = len(text.encode("utf-8")) - 3 * cjk - digits  # every kana and ideograph is 3 UTF-8 bytes
    return cjk * TOKENS_PER_CJK_CHAR + digits + math.ceil(rest / BYTES_PER_TOKEN)


class EstimatingTokenCounter:
    """The conservative estimate as a counter, for routes whose endpoint has no tokenizer."""

    async def count(self, texts: Sequence[str]) -> TokenCounts:
        return TokenCounts(tuple(estimate_tokens(t) for t in texts), estimated=True)
