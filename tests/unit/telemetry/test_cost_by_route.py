"""Cost and tokens per tenant, prompt version and route, as /api/summary reports them."""

from __future__ import annotations

from llmops_telemetry.domain.aggregates import MAX_ROUTES, Aggregates, AnswerRow
from llmops_telemetry.entrypoints.http import summary


def row(answer_id: str, prompt: str, route: str) -> AnswerRow:
    return AnswerRow(answer_id, 1.0, "q", "answered", "", prompt=prompt, route=route)


def test_totals_per_prompt_version_and_route_add_up_to_the_tenant() -> None:
    aggregates = Aggregates(recent_answers=1000, max_tenants=10)
    aggregates.answer("acme", row("a1", "rag-answer@v2", "small"), (1000, 100), 0.0011, {})
    aggregates.answer("acme", row("a2", "rag-answer@v2", "small"), (500, 50), 0.00055, {})
    aggregates.answer("acme", row("a3", "rag-answer@v1", "large"), (2000, 200), 0.012, {})
    aggregates.answer("acme", row("a3", "rag-answer@v1", "large"), (2000, 200), 0.012, {})  # re-delivered
    aggregates.answer("acme", row("a4", "", ""), (0, 0), 0.0, {})  # an extractive answer
    tenant = aggregates.find("acme")
    assert tenant is not None
    rows = summary("acme", tenant)["by_prompt_and_route"]
    assert isinstance(rows, list)
    by = {(r["prompt"], r["route"]): r for r in rows}
    assert by[("rag-answer@v2", "small")]["answers"] == 2
    assert by[("rag-answer@v2", "small")]["cost_usd"] == 0.0011 + 0.00055
    assert by[("rag-answer@v1", "large")]["input_tokens"] == 2000 and by[("", "")]["answers"] == 1
    assert sum(r["cost_usd"] for r in by.values()) == tenant.cost_usd


def test_the_breakdown_is_bounded() -> None:
    aggregates = Aggregates(recent_answers=1000, max_tenants=10)
    for i in range(MAX_ROUTES + 10):
        aggregates.answer("acme", row(f"a{i}", f"p@v{i}", "r"), (1, 1), 0.0, {})
    tenant = aggregates.find("acme")
    assert tenant is not None and len(tenant.by_prompt_route) == MAX_ROUTES + 1  # the rest share "other"
