"""Does a draft say the passages hold no answer? The prompt asks the model to say so (rag-answer v1:
"If the context does not contain the answer, say that you do not know").

Such a draft states nothing to check, so the release check alone cannot tell it from a draft that
rambled; but it is the model's own reading of the passages, and quoting a passage sentence in its
place put an answer in front of the customer that the model had just declined to give. The phrases
are the ones that instruction produces in the two languages the platform serves: saying one does not
know, or that the context/passages/documents do not contain, mention or say it. They were written
from the instruction, not from any question set.
"""

from __future__ import annotations

import re

from llmops_grounding.text import split_sentences

SOURCE = r"(?:context|passages?|documents?|information|text|sources?)"
ENGLISH = re.compile(
    r"\b(?:i|we)\s+(?:do\s+not|don'?t|cannot|can'?t|am\s+unable\s+to)\s+(?:know|find|answer|tell|say|determine)\b|"
    r"\b(?:i'?m|i\s+am)\s+(?:not\s+sure|sorry)\b|"
    rf"\b(?:the\s+)?(?:provided\s+|given\s+)?{SOURCE}\s+(?:does|do)\s+not\s+"
    r"(?:contain|mention|say|specify|state|provide|include|answer|give)\b|"
    rf"\b(?:does|do)n'?t\s+(?:contain|mention|say|specify|state|provide|include)\b|"
    rf"\bno\s+(?:information|mention|answer|details?)\b|\bnot\s+(?:mentioned|specified|stated|provided)\s+in\b",
    re.IGNORECASE,
)
CHINESE = re.compile(
    r"不知道|無法(?:回答|確定|得知|找到)|无法(?:回答|确定|得知|找到)|(?:沒有|没有|未)(?:提到|提及|說明|说明|相關|相关)"
)


def declines(draft: str) -> bool:
    """True when the draft's first sentence says the passages do not answer (an answer that goes on
    to state something does not open with that)."""
    sentences = split_sentences(draft.strip())
    first = sentences[0] if sentences else draft
    return bool(ENGLISH.search(first) or CHINESE.search(first))
