"""The tenant's webhook: the alert POSTed as JSON, a few tries, the outcome as a sentence."""

from __future__ import annotations

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from llmops_evaluation.domain.alerts import RaisedAlert


class HttpWebhook:
    def __init__(self, timeout_seconds: float = 5.0, attempts: int = 3) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.attempts = attempts

    async def call(self, url: str, alert: RaisedAlert) -> str:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.attempts),
                wait=wait_exponential(multiplier=0.5, max=4),
                retry=retry_if_exception_type((aiohttp.ClientError, TimeoutError)),
                reraise=True,
            ):
                with attempt:
                    async with (
                        aiohttp.ClientSession(timeout=self.timeout) as session,
                        session.post(url, json={"type": "drift.alert", **alert.to_json()}) as response,
                    ):
                        if response.status >= 500:
                            response.raise_for_status()  # a server error is worth another try
                        return f"POST {url} answered HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"POST {url} failed after {self.attempts} tries: {type(error).__name__}: {error}"
        return f"POST {url} was not attempted"
