"""Rules for prompt injection and out-of-scope requests, in English and Chinese.

Each rule has an id, a category and the sentence a person reads when it fires. Rules are
deliberately phrase-level: a single word such as "ignore" is common in real questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: str  # "injection" or "out_of_scope"
    pattern: re.Pattern[str]
    reason: str


def _rule(rule_id: str, category: str, pattern: str, reason: str) -> Rule:
    return Rule(rule_id, category, re.compile(pattern, re.IGNORECASE), reason)


RULES: tuple[Rule, ...] = (
    _rule(
        "injection.ignore_instructions",
        "injection",
        r"\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions?|rules|prompts?|guidelines|directions)\b"
        r"|(忽略|無視|无视|忘記|忘记|不要理會|不要理会).{0,12}(指令|指示|規則|规则|提示|設定|设定)",
        "The question asks the assistant to ignore its instructions.",
    ),
    _rule(
        "injection.system_prompt",
        "injection",
        r"\b(system|hidden|initial)\s+prompt\b|\breveal\b.{0,30}\binstructions\b|(系統|系统)(提示|指令)",
        "The question tries to read or change the assistant's system prompt.",
    ),
    _rule(
        "injection.role_override",
        "injection",
        r"\b(you are now|from now on you are|act as|pretend (to be|you are)|developer mode|jailbreak|DAN)\b"
        r"|(你現在是|你现在是|假裝你是|假装你是|扮演)",
        "The question tries to give the assistant a different role.",
    ),
    _rule(
        "out_of_scope.code",
        "out_of_scope",
        r"\b(write|give|show|generate|create|implement)\b.{0,30}\b(code|program|script|function|algorithm|class)\b"
        r"|\b(bubble|quick|merge|insertion)\s?sort\b"
        r"|(寫|写|給我|给我).{0,10}(程式|程序|代碼|代码|函數|函数)|(冒泡|泡沫|快速)排序",
        "The assistant answers questions about our products and policies; it does not write code.",
    ),
)


def matching_rules(text: str) -> list[tuple[Rule, re.Match[str]]]:
    hits = []
    for rule in RULES:
        match = rule.pattern.search(text)
        if match is not None:
            hits.append((rule, match))
    return hits
