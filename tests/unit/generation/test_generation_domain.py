"""Prompt files, request rules and prices."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.errors import FailedPrecondition, InvalidArgument
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.domain.pricing import TokenPrices
from llmops_generation.domain.requests import generation


def test_packaged_prompts_are_rag_answer_v1_to_v3() -> None:
    v1, v2, v3 = load_prompt_files()
    assert [(p.name, p.version) for p in (v1, v2, v3)] == [("rag-answer", 1), ("rag-answer", 2), ("rag-answer", 3)]
    assert "reply only: I don't know." in v3.render("How long?", ["Returns within 30 days."])[0]["content"]
    messages = v1.render("How long?", ["Returns within 30 days.", "Refunds in 5 days."])
    assert messages[0]["role"] == "system"
    assert "do not know" in messages[0]["content"]
    assert (
        messages[1]["content"] == "Context:\n[1] Returns within 30 days.\n[2] Refunds in 5 days.\n\nQuestion: How long?"
    )
    system, user = (m["content"] for m in v2.render("Wie lange?", ["Returns within 30 days."]))
    assert "language the question is written in" in system
    assert "[2]" in system and "do not know" in system
    assert user.endswith("Answer in the language of the question, citing passage numbers.")


def test_a_malformed_prompt_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "v1.yaml").write_text("system: s\nuser: 'Q: {question} {extra}'\n")
    with pytest.raises(FailedPrecondition, match="only the placeholders"):
        load_prompt_files(tmp_path)
    (tmp_path / "faq" / "v1.yaml").write_text("system: s\nuser: 'Q: {question}'\n")
    with pytest.raises(FailedPrecondition, match="must contain the placeholders"):
        load_prompt_files(tmp_path)
    (tmp_path / "faq" / "v1.yaml").unlink()
    (tmp_path / "faq" / "latest.yaml").write_text("system: s\n")
    with pytest.raises(FailedPrecondition, match=r"v<N>\.yaml"):
        load_prompt_files(tmp_path)


def test_request_rules() -> None:
    [prompt, *_] = load_prompt_files()

    def make(**overrides: object) -> object:
        args: dict[str, object] = {
            "tenant_id": "acme", "question": " q ", "contexts": [], "prompt": prompt, "max_output_tokens": 0,
            "default_max_output_tokens": 100, "temperature": 0.0,
        }  # fmt: skip
        return generation(**{**args, **overrides})  # type: ignore[arg-type]

    job = make()
    assert (job.question, job.max_output_tokens, job.prompt.name) == ("q", 100, "rag-answer")  # type: ignore[attr-defined]
    with pytest.raises(InvalidArgument, match="temperature"):
        make(temperature=3.0)
    with pytest.raises(InvalidArgument, match="max_output_tokens is 5000"):
        make(max_output_tokens=5000)
    with pytest.raises(InvalidArgument, match="question is empty"):
        make(question="  ")


def test_cost_prices_cached_input_apart() -> None:
    prices = TokenPrices(input_per_million=0.15, output_per_million=0.60, cached_input_per_million=0.075)
    # 1,200 input of which 1,000 cached, 300 output: 200 x 0.15 + 1,000 x 0.075 + 300 x 0.60 per million.
    assert prices.cost_usd(1_200, 300, 1_000) == pytest.approx((200 * 0.15 + 1_000 * 0.075 + 300 * 0.60) / 1e6)
    assert prices.cost_usd(1_000_000, 1_000_000) == pytest.approx(0.75)
    assert prices.cost_usd(10, 0, cached_input_tokens=50) == pytest.approx(10 * 0.075 / 1e6)  # never more than input
    assert TokenPrices().cost_usd(500, 500) == 0.0
