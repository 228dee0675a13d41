"""Chat completions from a model served by Triton itself, over its gRPC streaming API (tritonclient).

The Triton model is decoupled (see infra/triton/model_repository/generator): one request, one response
per piece of text, the last one flagged with ``finish_reason``. Every response carries exact token counts
from the model's tokenizer, and a ``count_only`` request returns the prompt's count with the chat template
applied, so this route never estimates tokens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc
import numpy as np
import tritonclient.grpc.aio as triton
from tritonclient.utils import InferenceServerException

from llmops_core.errors import DeadlineExceeded, Unavailable
from llmops_generation.domain.completions import Completion
from llmops_generation.domain.tokens import TokenCounts


class TritonChatModel:
    def __init__(self, url: str, model: str, timeout_seconds: float) -> None:
        self.url = url
        self.model = model
        self.timeout_seconds = timeout_seconds
        self.client = triton.InferenceServerClient(url)
        self.tokenizer = TritonTokenCounter(self)

    async def complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Completion:
        final: Completion | None = None
        async for item in self.stream(messages, max_tokens, temperature):
            if isinstance(item, Completion):
                final = item
        assert final is not None  # stream always ends with one
        return final

    async def stream(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> AsyncIterator[str | Completion]:
        """Yields text pieces as Triton sends them, then one Completion with the whole text and usage."""
        parts: list[str] = []
        async for response in self._responses(messages, max_tokens, temperature, count_only=False):
            text = _text(response, "text")
            if text:
                parts.append(text)
                yield text
            finish = _text(response, "finish_reason")
            if finish:
                yield Completion(
                    text="".join(parts).strip(),
                    input_tokens=_int(response, "prompt_tokens"),
                    output_tokens=_int(response, "completion_tokens"),
                    finish_reason=finish,
                )
                return
        raise Unavailable(f"Triton at {self.url} ended the {self.model!r} stream without a final response")

    async def count_prompt(self, messages: list[dict[str, str]]) -> int:
        async for response in self._responses(messages, 0, 0.0, count_only=True):
            return _int(response, "prompt_tokens")
        raise Unavailable(f"Triton at {self.url} sent no token count for {self.model!r}")

    async def _responses(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float, count_only: bool
    ) -> AsyncIterator[Any]:
        inputs = [
            _input("messages", np.array([json.dumps(messages, ensure_ascii=False).encode()], dtype=object), "BYTES"),
            _input("max_tokens", np.array([max_tokens], dtype=np.int32), "INT32"),
            _input("temperature", np.array([temperature], dtype=np.float32), "FP32"),
            _input("count_only", np.array([count_only], dtype=np.bool_), "BOOL"),
        ]

        async def requests() -> AsyncIterator[dict[str, Any]]:
            yield {"model_name": self.model, "inputs": inputs}

        # The whole answer must arrive within the route's timeout, as a non-streamed call's must.
        stream = self.client.stream_infer(requests())
        try:
            async with asyncio.timeout(self.timeout_seconds):
                async for result, error in stream:
                    if error is not None:
                        raise Unavailable(f"Triton at {self.url} failed on {self.model!r}: {_message(error)}")
                    yield result
        except TimeoutError as error:
            raise DeadlineExceeded(f"the model {self.model!r} at Triton {self.url} did not answer in time") from error
        except InferenceServerException as error:
            raise Unavailable(f"Triton at {self.url} failed on {self.model!r}: {_message(error)}") from error
        except grpc.aio.AioRpcError as error:  # the stream's own transport errors come through unwrapped
            raise Unavailable(f"Triton at {self.url} failed on {self.model!r}: {error.details()}") from error
        finally:
            # Ends the call: after the final response a no-op; before it (the caller stopped reading,
            # or the deadline passed) Triton sees the cancellation and the model stops generating.
            stream.cancel()

    async def close(self) -> None:
        await self.client.close()


class TritonTokenCounter:
    """A text's tokens as the Triton model counts them: the text as one user turn, less the empty turn's."""

    def __init__(self, model: TritonChatModel) -> None:
        self.model = model
        self._template_tokens: int | None = None

    async def count(self, texts: Sequence[str]) -> TokenCounts:
        if self._template_tokens is None:
            self._template_tokens = await self.model.count_prompt([{"role": "user", "content": ""}])
        counts = await asyncio.gather(*(self.model.count_prompt([{"role": "user", "content": t}]) for t in texts))
        return TokenCounts(tuple(max(0, c - self._template_tokens) for c in counts), estimated=False)


def _input(name: str, value: np.ndarray[Any, Any], datatype: str) -> triton.InferInput:
    tensor = triton.InferInput(name, list(value.shape), datatype)
    tensor.set_data_from_numpy(value)
    return tensor


def _text(response: Any, name: str) -> str:
    value = response.as_numpy(name)
    return "" if value is None else bytes(value.reshape(-1)[0]).decode("utf-8", errors="replace")


def _int(response: Any, name: str) -> int:
    value = response.as_numpy(name)
    return 0 if value is None else int(value.reshape(-1)[0])


def _message(error: object) -> str:
    return error.message() if isinstance(error, InferenceServerException) else str(error)
