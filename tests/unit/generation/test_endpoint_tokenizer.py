"""Counting through the endpoint's tokenize route, and the estimate where the endpoint has none."""

from __future__ import annotations

import json

import httpx2
import pytest

from llmops_core.errors import Unavailable
from llmops_generation.adapters.endpoint_tokenizer import EndpointTokenCounter
from llmops_generation.domain.tokens import estimate_tokens


def counter(handler: httpx2.MockTransport) -> EndpointTokenCounter:
    return EndpointTokenCounter("http://llm:8080/v1", "key", "m", 5.0, transport=handler)


async def test_counts_come_from_the_llama_cpp_route_beside_v1() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"count": len(json.loads(request.content)["input"].split())})

    tokens = counter(httpx2.MockTransport(answer))
    counts = await tokens.count(["one two", "three"])
    assert (counts.tokens, counts.estimated) == ((2, 1), False)
    assert {str(r.url) for r in seen} == {"http://llm:8080/extras/tokenize/count"}
    assert json.loads(seen[0].content)["model"] == "m"
    assert seen[0].headers["authorization"] == "Bearer key"
    await tokens.close()


async def test_an_endpoint_without_the_route_is_probed_once_then_estimated() -> None:
    requests = 0

    def not_found(request: httpx2.Request) -> httpx2.Response:
        nonlocal requests
        requests += 1
        return httpx2.Response(404, json={"error": "Invalid URL"})

    tokens = counter(httpx2.MockTransport(not_found))
    first = await tokens.count(["退货期限", "return window"])
    second = await tokens.count(["again"])
    assert first.estimated and second.estimated
    assert first.tokens == (estimate_tokens("退货期限"), estimate_tokens("return window"))
    assert requests == 1
    await tokens.close()


async def test_a_failing_server_is_unavailable_and_probed_again() -> None:
    status = 503

    def flaky(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, json={"count": 3})

    tokens = counter(httpx2.MockTransport(flaky))
    with pytest.raises(Unavailable, match="http://llm:8080/v1 failed to count tokens: HTTP 503"):
        await tokens.count(["text"])
    status = 200
    assert (await tokens.count(["text"])).tokens == (3,)
    await tokens.close()
