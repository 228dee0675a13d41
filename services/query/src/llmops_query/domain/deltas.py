"""How AskStream cuts the checked answer into the pieces it sends: whole sentences.

The pieces are cut from text that has already passed the output guardrail, so what is sent is
exactly what the check saw; sentences rather than fixed widths so no piece ends inside a word
or a placeholder such as ``[EMAIL]``. Joined, the pieces are the answer, whitespace included.
"""

from __future__ import annotations

import re

# A sentence ends after . ! ? (with closing quotes or brackets) and the whitespace that follows,
# after a CJK full stop (which needs no space), or at a line break.
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|[。！？；]+[」』”’）]*\s*|\n+")


def sentence_deltas(text: str) -> list[str]:
    pieces, start = [], 0
    for end in SENTENCE_END.finditer(text):
        if end.end() > start:
            pieces.append(text[start : end.end()])
            start = end.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces
