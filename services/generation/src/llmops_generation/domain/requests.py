"""GenerateRequest rules (proto comments) as a plain value."""

from __future__ import annotations

from dataclasses import dataclass

from llmops_core.errors import InvalidArgument, NotFound
from llmops_core.validation import require_tenant, require_text
from llmops_generation.domain.prompts import PromptTemplate, find_prompt


@dataclass(frozen=True)
class Generation:
    tenant_id: str
    question: str
    contexts: list[str]
    prompt: PromptTemplate
    max_output_tokens: int
    temperature: float


def generation(
    tenant_id: str,
    question: str,
    contexts: list[str],
    prompt_name: str,
    prompt_version: int,
    model_route: str,
    default_route: str,
    max_output_tokens: int,
    default_max_output_tokens: int,
    temperature: float,
) -> Generation:
    require_tenant(tenant_id)
    text = require_text("question", question, max_chars=4000)
    if model_route and model_route != default_route:
        raise NotFound(f"no model route {model_route!r}; this deployment serves {default_route!r}")
    if max_output_tokens > 4096:
        raise InvalidArgument(f"max_output_tokens is {max_output_tokens}; the most is 4096")
    if not 0 <= temperature <= 2:
        raise InvalidArgument(f"temperature is {temperature}; it must be between 0 and 2")
    prompt = find_prompt(prompt_name or "rag-answer", prompt_version)
    return Generation(tenant_id, text, contexts, prompt, max_output_tokens or default_max_output_tokens, temperature)
