"""Triton's embedding ensemble (tokenizer + encoder) against the reference model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import tritonclient.grpc as triton

from llmops_stack.config import StackSettings
from llmops_stack.models import EMBEDDING_DIMENSIONS, PARITY_TEXTS, reference_embeddings


def test_ensemble_matches_reference_model(stack: StackSettings) -> None:
    client = triton.InferenceServerClient(stack.triton_grpc_url)
    assert client.is_model_ready("embedder")
    texts = np.array([[t.encode()] for t in PARITY_TEXTS], dtype=object)
    text_input = triton.InferInput("text", list(texts.shape), "BYTES")
    text_input.set_data_from_numpy(texts)
    vectors = client.infer("embedder", [text_input]).as_numpy("embeddings")

    assert vectors is not None
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(PARITY_TEXTS), EMBEDDING_DIMENSIONS)
    reference = reference_embeddings(PARITY_TEXTS)
    cosines = np.sum(vectors * reference, axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
    )
    assert cosines.min() > 0.999, dict(zip(PARITY_TEXTS, cosines.round(5), strict=True))


def test_concurrent_requests_of_different_lengths_are_each_correct(stack: StackSettings) -> None:
    """Dynamic batching pads a batch to one length; each request must still get its own vectors."""
    texts = ["short", "a much longer sentence about refunds, returns and the thirty day policy", "退貨", "x " * 60]

    def embed_one(text: str) -> npt.NDArray[np.float32]:
        client = triton.InferenceServerClient(stack.triton_grpc_url)
        batch = np.array([[text.encode()]], dtype=object)
        text_input = triton.InferInput("text", list(batch.shape), "BYTES")
        text_input.set_data_from_numpy(batch)
        return np.asarray(client.infer("embedder", [text_input]).as_numpy("embeddings"))[0]

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        vectors = list(pool.map(embed_one, texts * 3))
    reference = reference_embeddings(texts)
    for index, vector in enumerate(vectors):
        assert float(np.dot(vector, reference[index % len(texts)])) > 0.999


def test_the_dashboard_triton_series_exist(stack: StackSettings) -> None:
    """The Grafana dashboard's Triton queries (tests/unit/telemetry/test_dashboard_queries.py) name
    series this Triton really exports, for the model they filter on."""
    import urllib.request

    from tests.unit.telemetry.test_dashboard_queries import TRITON

    client = triton.InferenceServerClient(stack.triton_grpc_url)
    text_input = triton.InferInput("text", [1, 1], "BYTES")
    text_input.set_data_from_numpy(np.array([[b"metrics"]], dtype=object))
    client.infer("embedder", [text_input])
    with urllib.request.urlopen(f"http://{stack.host}:{stack.triton_metrics_port}/metrics", timeout=10) as response:
        exported = response.read().decode()
    for name in TRITON:
        assert f'{name}{{model="embedder"' in exported, name
