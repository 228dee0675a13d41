"""`python -m llmops_stack.encoder_bench`: Triton's embedder throughput for the encoder setting in the environment.

Starts an isolated stack without services (ports from 13000) with LLMOPS_ENCODER_THREADS and
LLMOPS_ENCODER_SPINNING as set, sends 384 chunk texts of the sample corpora in 32-text requests, 2 in
flight (the embedding service's shape), twice, and prints texts/s (decision 0029).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import tritonclient.grpc as triton

from llmops_ingestion.domain.chunking import ChunkingPolicy, WordPieceTokens
from llmops_ingestion.settings import IngestionSettings
from llmops_stack.config import StackSettings
from llmops_stack.ingest_bench import chunks_of, source_files
from llmops_stack.stack import Stack

TEXTS = 384
PER_REQUEST = 32
IN_FLIGHT = 2


def sample_texts() -> list[str]:
    policy = ChunkingPolicy(WordPieceTokens(IngestionSettings().tokenizer_path))
    texts: list[str] = []
    for path, _ in source_files():
        texts += [text for _, text in chunks_of(path, policy)]
        if len(texts) >= TEXTS:
            break
    return texts[:TEXTS]


def main() -> None:
    texts = sample_texts()
    settings = StackSettings.isolated("encoder-bench", port_base=13000, with_services=False)
    stack = Stack(settings)
    stack.up()
    try:

        def embed(batch: list[str]) -> npt.NDArray[np.float32] | None:
            client = triton.InferenceServerClient(settings.triton_grpc_url)
            values = np.array([[t.encode()] for t in batch], dtype=object)
            text = triton.InferInput("text", list(values.shape), "BYTES")
            text.set_data_from_numpy(values)
            result: npt.NDArray[np.float32] | None = client.infer("embedder", [text]).as_numpy("embeddings")
            return result

        embed(texts[:PER_REQUEST])  # warm-up
        batches = [texts[i : i + PER_REQUEST] for i in range(0, len(texts), PER_REQUEST)]
        rates = []
        for _ in range(2):
            started = time.perf_counter()
            with ThreadPoolExecutor(IN_FLIGHT) as pool:
                list(pool.map(embed, batches))
            rates.append(len(texts) / (time.perf_counter() - started))
        print(
            f"LLMOPS_ENCODER_THREADS={os.environ.get('LLMOPS_ENCODER_THREADS', 'default')}"
            f" LLMOPS_ENCODER_SPINNING={os.environ.get('LLMOPS_ENCODER_SPINNING', 'default')}:"
            f" {', '.join(f'{r:.1f}' for r in rates)} texts/s (load average {os.getloadavg()[0]:.2f})"
        )
    finally:
        stack.down()


if __name__ == "__main__":
    main()
