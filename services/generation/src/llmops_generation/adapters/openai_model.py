"""Chat completions from any OpenAI-compatible endpoint (llama.cpp server, OpenAI, vLLM, Ollama)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import cast

import openai
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageParam

from llmops_core.errors import DeadlineExceeded, Unavailable
from llmops_generation.adapters.endpoint_tokenizer import EndpointTokenCounter
from llmops_generation.domain.completions import Completion


class OpenAICompatibleModel:
    def __init__(self, base_url: str, api_key: str, model: str, timeout_seconds: float) -> None:
        self.model = model
        self.base_url = base_url
        self.client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_seconds, max_retries=1)
        # The same endpoint's tokenizer, so prompts are counted as this model counts them.
        self.tokenizer = EndpointTokenCounter(base_url, api_key, model, timeout_seconds)

    def _unavailable(self, error: Exception) -> Exception:
        if isinstance(error, openai.APITimeoutError):
            return DeadlineExceeded(f"the model at {self.base_url} did not answer in time")
        return Unavailable(f"the model at {self.base_url} failed: {error}")

    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion:
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                max_tokens=max_tokens,
                temperature=temperature,
            )
        except openai.OpenAIError as error:
            raise self._unavailable(error) from error
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            text=(choice.message.content or "").strip(),
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            finish_reason=choice.finish_reason or "",
            cached_input_tokens=_cached(usage),
        )

    async def stream(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> AsyncIterator[str | Completion]:
        """Yields text deltas, then one Completion with the whole text and usage."""
        parts: list[str] = []
        usage_in = usage_out = cached = 0
        finish = ""
        try:
            stream = await self.client.chat.completions.create(
                model=self.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in stream:
                if chunk.usage is not None:  # the last chunk, where the endpoint honours include_usage
                    usage_in, usage_out = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                    cached = _cached(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        yield choice.delta.content
                    finish = choice.finish_reason or finish
        except openai.OpenAIError as error:
            raise self._unavailable(error) from error
        # Endpoints that ignore stream_options (llama.cpp's server) report no usage: each streamed
        # delta is one token there, so count them; input tokens stay unknown (0) here and the use case
        # puts the prompt as counted by the route's tokenizer in their place.
        estimated = usage_out == 0 and bool(parts)
        yield Completion("".join(parts).strip(), usage_in, usage_out or len(parts), finish, estimated, cached)

    async def close(self) -> None:
        await self.client.close()
        await self.tokenizer.close()


def _cached(usage: CompletionUsage | None) -> int:
    details = usage.prompt_tokens_details if usage else None
    return (details.cached_tokens or 0) if details else 0
