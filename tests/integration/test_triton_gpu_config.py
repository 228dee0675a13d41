"""Triton's GPU configuration (`llmops up --gpu`) with the packaged tritonserver: the encoder runs the
MiniLM weights in PyTorch with DLPack I/O. No GPU here, so the engine runs on the CPU through
LLMOPS_ENCODER_DEVICE; without that override a machine without CUDA refuses the configuration."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest
import tritonclient.grpc.aio as triton

from llmops_stack.components import ComponentError, Triton
from llmops_stack.config import StackSettings
from llmops_stack.models import reference_embeddings
from llmops_stack.stack import Stack

# Its own ports, apart from the session's stack (which runs the CPU configuration).
PORT_BASE = int(os.environ.get("LLMOPS_TEST_PORT_BASE", "25000")) + 900


def gpu_stack(name: str) -> StackSettings:
    return StackSettings.isolated(name, port_base=PORT_BASE).model_copy(update={"gpu": True})


@pytest.fixture
def torch_on_cpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[StackSettings]:
    monkeypatch.setenv("LLMOPS_ENCODER_DEVICE", "cpu")
    settings = gpu_stack("triton-gpu-config")
    stack = Stack(settings)
    try:
        stack.start(Triton(settings))
        yield settings
    finally:
        stack.down()


def embed_each(settings: StackSettings, texts: list[str]) -> npt.NDArray[np.float32]:
    """One request per text, all at once: the batcher hands the encoder requests of different lengths."""

    async def scenario() -> list[npt.NDArray[np.float32]]:
        client = triton.InferenceServerClient(f"{settings.host}:{settings.triton_grpc_port}")
        try:

            async def one(text: str) -> npt.NDArray[np.float32]:
                batch = np.array([[text.encode()]], dtype=object)
                text_input = triton.InferInput("text", list(batch.shape), "BYTES")
                text_input.set_data_from_numpy(batch)
                result = await client.infer("embedder", [text_input], client_timeout=60)
                return np.asarray(result.as_numpy("embeddings"), dtype=np.float32)[0]

            return list(await asyncio.gather(*(one(t) for t in texts)))
        finally:
            await client.close()

    return np.array(asyncio.run(scenario()))


def test_the_gpu_configuration_serves_the_same_vectors(torch_on_cpu: StackSettings) -> None:
    texts = [
        "Refunds are issued within 30 days.",
        "Where is my parcel?",
        "退貨需在三十天內申請。",
        "A much longer sentence about the warranty, which covers parts and labour for two years after delivery.",
    ] * 4
    vectors = embed_each(torch_on_cpu, texts)
    assert vectors.shape == (len(texts), 384)
    assert np.min(np.sum(vectors * reference_embeddings(texts), axis=1)) > 0.999


def test_without_cuda_the_gpu_configuration_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMOPS_ENCODER_DEVICE", raising=False)
    settings = gpu_stack("triton-gpu-no-cuda")
    stack = Stack(settings)
    try:
        with pytest.raises(ComponentError) as refused:
            stack.start(Triton(settings))
    finally:
        stack.down()
    assert "needs CUDA" in str(refused.value)
