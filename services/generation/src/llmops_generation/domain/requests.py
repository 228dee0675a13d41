"""GenerateRequest rules (proto comments) as a plain value."""

from __future__ import annotations

from dataclasses import dataclass

from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant, require_text
from llmops_generation.domain.prompts import PromptTemplate

MAX_OUTPUT_TOKENS = 4096


@dataclass(frozen=True)
class Generation:
    tenant_id: str
    question: str
    contexts: list[str]
    prompt: PromptTemplate
    max_output_tokens: int
    temperature: float


def checked_question(tenant_id: str, question: str, max_output_tokens: int, temperature: float) -> str:
    """The question, stripped, once the request's own fields are valid (before any lookup is paid for)."""
    require_tenant(tenant_id)
    text = require_text("question", question, max_chars=4000)
    if max_output_tokens > MAX_OUTPUT_TOKENS:
        raise InvalidArgument(f"max_output_tokens is {max_output_tokens}; the most is {MAX_OUTPUT_TOKENS}")
    if not 0 <= temperature <= 2:
        raise InvalidArgument(f"temperature is {temperature}; it must be between 0 and 2")
    return text


def generation(
    tenant_id: str,
    question: str,
    contexts: list[str],
    prompt: PromptTemplate,
    max_output_tokens: int,
    default_max_output_tokens: int,
    temperature: float,
) -> Generation:
    text = checked_question(tenant_id, question, max_output_tokens, temperature)
    return Generation(tenant_id, text, contexts, prompt, max_output_tokens or default_max_output_tokens, temperature)
