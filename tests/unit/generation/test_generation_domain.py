"""Prompt registry, request rules and prices."""

from __future__ import annotations

import pytest

from llmops_core.errors import InvalidArgument, NotFound
from llmops_generation.domain.pricing import cost_usd
from llmops_generation.domain.prompts import find_prompt
from llmops_generation.domain.requests import generation


def test_prompt_renders_numbered_context() -> None:
    prompt = find_prompt("rag-answer")
    messages = prompt.render("How long?", ["Returns within 30 days.", "Refunds in 5 days."])
    assert messages[0]["role"] == "system"
    assert "do not know" in messages[0]["content"]
    assert (
        messages[1]["content"] == "Context:\n[1] Returns within 30 days.\n[2] Refunds in 5 days.\n\nQuestion: How long?"
    )


def test_unknown_prompt_and_version() -> None:
    with pytest.raises(NotFound, match="no prompt template named 'nope'"):
        find_prompt("nope")
    with pytest.raises(NotFound, match="has no version 9"):
        find_prompt("rag-answer", 9)


def test_request_rules() -> None:
    def make(**overrides: object) -> object:
        args: dict[str, object] = {
            "tenant_id": "acme", "question": " q ", "contexts": [], "prompt_name": "", "prompt_version": 0,
            "model_route": "", "default_route": "m", "max_output_tokens": 0, "default_max_output_tokens": 100,
            "temperature": 0.0,
        }  # fmt: skip
        return generation(**{**args, **overrides})  # type: ignore[arg-type]

    job = make()
    assert (job.question, job.max_output_tokens, job.prompt.name) == ("q", 100, "rag-answer")  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match="no model route 'gpt-9'"):
        make(model_route="gpt-9")
    with pytest.raises(InvalidArgument, match="temperature"):
        make(temperature=3.0)
    with pytest.raises(InvalidArgument, match="question is empty"):
        make(question="  ")


def test_cost_from_price_table() -> None:
    assert cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost_usd("smollm2-135m-instruct", 500, 500) == 0.0
