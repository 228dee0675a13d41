"""Claims, facts and evidence: one check shared by verified answers (query) and scores (evaluation)."""

from llmops_grounding.claims import AnswerCheck, ClaimCheck, Embedder, Evidence, SupportPolicy, Verdict, check_answer
from llmops_grounding.facts import Facts, extract_facts, load_models

__all__ = [
    "AnswerCheck",
    "ClaimCheck",
    "Embedder",
    "Evidence",
    "Facts",
    "SupportPolicy",
    "Verdict",
    "check_answer",
    "extract_facts",
    "load_models",
]
