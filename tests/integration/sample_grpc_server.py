"""A sample service on the shared gRPC bootstrap, run as its own process by test_grpc_server.

It implements the real EmbeddingService contract with a deterministic character-count vector,
because what is under test is the server plumbing (health, reflection, errors, SIGTERM), not
embeddings.
"""

from __future__ import annotations

import asyncio
import sys

import grpc

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops_core.errors import InvalidArgument
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.settings import ServiceSettings

MAX_TEXTS = 256


class SampleEmbedding(embedding_pb2_grpc.EmbeddingServiceServicer):
    def __init__(self, port: int) -> None:
        self.port = port  # in the model name, so a test can tell the replicas apart

    async def Embed(  # noqa: N802 (gRPC method name)
        self, request: embedding_pb2.EmbedRequest, context: grpc.aio.ServicerContext
    ) -> embedding_pb2.EmbedResponse:
        if not request.texts:
            raise InvalidArgument("texts must contain at least one text to embed")
        if len(request.texts) > MAX_TEXTS:
            raise InvalidArgument(f"at most {MAX_TEXTS} texts per call, got {len(request.texts)}")
        for index, text in enumerate(request.texts):
            if not text.strip():
                raise InvalidArgument(f"texts[{index}] is empty; send 1-8192 characters of text")
        vectors = [embedding_pb2.Vector(values=[float(len(t)), float(len(set(t)))]) for t in request.texts]
        return embedding_pb2.EmbedResponse(vectors=vectors, model=f"character-count@{self.port}", dimensions=2)


async def main(port: int) -> None:
    settings = ServiceSettings(service_name="sample", grpc_port=port, grpc_grace_seconds=2)
    descriptor = embedding_pb2.DESCRIPTOR.services_by_name["EmbeddingService"]
    registration = ServiceRegistration(
        descriptor, embedding_pb2_grpc.add_EmbeddingServiceServicer_to_server, SampleEmbedding(port)
    )
    await GrpcServer(settings, [registration]).run()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
