"""Token counts from the model server's own tokenizer, or the conservative estimate where it has none."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx2

from llmops_core.errors import DeadlineExceeded, Unavailable
from llmops_generation.domain.tokens import TokenCounts, estimate_tokens

log = logging.getLogger(__name__)

# llama-cpp-python's server: POST {"model", "input"} -> {"count"}, at the server's root beside /v1.
COUNT_ROUTE = "/extras/tokenize/count"
# The server tokenizes one text at a time under its model lock; more requests in flight only queue.
IN_FLIGHT = 4


class EndpointTokenCounter:
    """Counts through the endpoint's tokenize route; a route it lacks (hosted APIs) means estimates from then on.

    The first call probes the route once per process: whether an endpoint tokenizes does not change
    while it runs, and a hosted API would otherwise answer 404 to every request's counts.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        timeout_seconds: float,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.url = base_url.rstrip("/").removesuffix("/v1") + COUNT_ROUTE
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"}
        self.client = httpx2.AsyncClient(timeout=timeout_seconds, headers=headers, transport=transport)
        self.tokenizes: bool | None = None  # None until probed
        self._probe_lock = asyncio.Lock()
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def count(self, texts: Sequence[str]) -> TokenCounts:
        if not await self._has_route(texts[0] if texts else ""):
            return TokenCounts(tuple(estimate_tokens(t) for t in texts), estimated=True)
        counts = await asyncio.gather(*(self._count(t) for t in texts))
        return TokenCounts(tuple(counts), estimated=False)

    async def _has_route(self, sample: str) -> bool:
        async with self._probe_lock:
            if self.tokenizes is None:
                response = await self._post(sample)
                # Client errors other than rate limits mean the route is not there or not this API
                # (404 unknown path, 405, 422 another schema); server trouble is raised, not cached.
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    log.warning(
                        "%s answers %s to %s: prompt tokens are estimated for this route",
                        self.base_url, response.status_code, COUNT_ROUTE,
                    )  # fmt: skip
                    self.tokenizes = False
                else:
                    self._check(response)
                    self.tokenizes = True
        return self.tokenizes

    async def _count(self, text: str) -> int:
        async with self._in_flight:
            response = self._check(await self._post(text))
        count = response.json().get("count")
        if not isinstance(count, int):
            raise Unavailable(f"the model at {self.base_url} answered {COUNT_ROUTE} without a token count")
        return count

    async def _post(self, text: str) -> httpx2.Response:
        try:
            return await self.client.post(self.url, json={"model": self.model, "input": text})
        except httpx2.TimeoutException as error:
            raise DeadlineExceeded(f"the model at {self.base_url} did not count tokens in time") from error
        except httpx2.HTTPError as error:
            raise Unavailable(f"the model at {self.base_url} failed to count tokens: {error}") from error

    def _check(self, response: httpx2.Response) -> httpx2.Response:
        if response.status_code != 200:
            raise Unavailable(f"the model at {self.base_url} failed to count tokens: HTTP {response.status_code}")
        return response

    async def close(self) -> None:
        await self.client.aclose()
