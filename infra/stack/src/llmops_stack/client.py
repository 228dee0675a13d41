"""A gRPC client of the running platform, for the CLI and the main job (product apps do the same)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import grpc

from llmops.common.v1.envelope_pb2 import PageRequest
from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_ingestion.domain.extraction import ContentType, content_type_for
from llmops_stack.config import StackSettings
from llmops_stack.services import target

CONTENT_TYPES = {
    ContentType.PLAIN_TEXT: ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT,
    ContentType.MARKDOWN: ingestion_pb2.CONTENT_TYPE_MARKDOWN,
    ContentType.HTML: ingestion_pb2.CONTENT_TYPE_HTML,
}


class PlatformClient:
    def __init__(self, settings: StackSettings) -> None:
        self.channels = {
            s: grpc.insecure_channel(target(settings, s)) for s in ("query", "ingestion", "retrieval", "evaluation")
        }
        self.query = query_pb2_grpc.QueryServiceStub(self.channels["query"])
        self.ingestion = ingestion_pb2_grpc.IngestionServiceStub(self.channels["ingestion"])
        self.retrieval = retrieval_pb2_grpc.RetrievalServiceStub(self.channels["retrieval"])
        self.evaluation = evaluation_pb2_grpc.EvaluationServiceStub(self.channels["evaluation"])

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    def ingest_path(
        self, tenant: str, path: Path, on_file: Callable[[int, int], None]
    ) -> list[ingestion_pb2.DocumentResult]:
        """Sends each supported file (or the one file) as a document; ids are paths relative to `path`."""
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        results = []
        for index, file in enumerate(files, start=1):
            content_type = content_type_for(file.name)
            document_id = file.name if path.is_file() else file.relative_to(path).as_posix()
            if content_type is None:
                results.append(
                    ingestion_pb2.DocumentResult(
                        document_id=document_id,
                        outcome=ingestion_pb2.DOCUMENT_OUTCOME_REJECTED,
                        detail="unsupported file type (use .txt, .md or .html)",
                    )
                )
            else:
                document = ingestion_pb2.SourceDocument(
                    document_id=document_id, content=file.read_bytes(), content_type=CONTENT_TYPES[content_type],
                    source_uri=file.resolve().as_uri(),
                )  # fmt: skip
                request = ingestion_pb2.IngestDocumentsRequest(tenant_id=tenant, documents=[document])
                results += self.ingestion.IngestDocuments(request, timeout=120).results
            on_file(index, len(files))
        return results

    def sync(self, tenant: str, directory: Path) -> ingestion_pb2.IngestReport:
        request = ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory=str(directory.resolve()))
        report: ingestion_pb2.IngestReport = self.ingestion.SyncSource(request, timeout=300)
        return report

    def expected_chunks(self, tenant: str) -> int:
        total, token = 0, ""
        while True:
            page = self.ingestion.ListDocuments(
                ingestion_pb2.ListDocumentsRequest(tenant_id=tenant, page=PageRequest(page_size=500, page_token=token))
            )
            total += sum(int(d.chunk_count) for d in page.documents)
            token = page.next_page_token
            if not token:
                return total

    def wait_indexed(self, tenant: str, timeout: float = 300) -> retrieval_pb2.IndexStats:
        """Blocks until retrieval holds exactly the chunks of the current document versions."""
        expected = self.expected_chunks(tenant)
        deadline = time.monotonic() + timeout
        while True:
            stats: retrieval_pb2.IndexStats = self.retrieval.GetIndexStats(
                retrieval_pb2.GetIndexStatsRequest(tenant_id=tenant), timeout=10
            )
            if stats.chunks == expected or time.monotonic() > deadline:
                return stats
            time.sleep(0.3)

    def ask(self, tenant: str, question: str) -> query_pb2.AskResponse:
        response: query_pb2.AskResponse = self.query.Ask(
            query_pb2.AskRequest(tenant_id=tenant, question=question), timeout=180
        )
        return response

    def wait_score(self, tenant: str, answer_id: str, timeout: float = 120) -> evaluation_pb2.AnswerScore | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                score: evaluation_pb2.AnswerScore = self.evaluation.GetAnswerScore(
                    evaluation_pb2.GetAnswerScoreRequest(tenant_id=tenant, answer_id=answer_id), timeout=10
                )
                return score
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                    raise
            time.sleep(0.3)
        return None

    def drift(self, tenant: str) -> evaluation_pb2.DriftState | None:
        try:
            state: evaluation_pb2.DriftState = self.evaluation.GetDriftState(
                evaluation_pb2.GetDriftStateRequest(tenant_id=tenant), timeout=10
            )
            return state
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise
