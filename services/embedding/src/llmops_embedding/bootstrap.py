"""Wires the embedding service: Triton, the docs.chunks consumer and the Embed gRPC API."""

from __future__ import annotations

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.adapters.triton_embedder import TritonEmbedder
from llmops_embedding.domain.embedding import Embedder
from llmops_embedding.entrypoints import subscribers
from llmops_embedding.entrypoints.grpc_servicer import EmbeddingServicer
from llmops_embedding.settings import EmbeddingSettings


def build_server(settings: EmbeddingSettings, embedder: Embedder) -> GrpcServer:
    registration = ServiceRegistration(
        embedding_pb2.DESCRIPTOR.services_by_name["EmbeddingService"],
        embedding_pb2_grpc.add_EmbeddingServiceServicer_to_server,
        EmbeddingServicer(embedder),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = EmbeddingSettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    embedder = await TritonEmbedder.connect(settings.triton, settings.batch_size)
    await ensure_topics(settings.kafka, [DOCS_CHUNKS, DOCS_EMBEDDED])
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    subscribers.register(broker, embedder, settings)
    server = build_server(settings, embedder)
    try:
        async with broker:
            await server.run_beside(broker.start())
    finally:
        await embedder.close()
        telemetry.shutdown()
