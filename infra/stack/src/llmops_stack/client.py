"""A gRPC client of the running platform, for the CLI and the main job (product apps do the same)."""

from __future__ import annotations

import time
from pathlib import Path

import grpc

from llmops.common.v1.envelope_pb2 import PageRequest
from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.grpc_client import balanced_channel
from llmops_ingestion.adapters.change_publisher import CONTENT_TYPES
from llmops_ingestion.domain.extraction import content_type_for
from llmops_stack.config import StackSettings
from llmops_stack.credentials import api_key
from llmops_stack.services import target

SUPPORTED = ".txt, .md, .html, .pdf, .docx, .csv, .json or .jsonl"


def report_summary(report: ingestion_pb2.IngestReport) -> str:
    return (
        f"{report.documents_seen} documents: {report.documents_added} added, {report.documents_modified} modified,"
        f" {report.documents_deleted} deleted, {report.documents_unchanged} unchanged, {report.documents_failed}"
        f" failed; {report.chunks_published} chunks sent for embedding, {report.chunks_reused} reused"
    )


class PlatformClient:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self._keys: dict[str, str] = {}
        self.channels = {
            s: balanced_channel(target(settings, s)) for s in ("query", "ingestion", "retrieval", "evaluation")
        }
        self.query = query_pb2_grpc.QueryServiceStub(self.channels["query"])
        self.ingestion = ingestion_pb2_grpc.IngestionServiceStub(self.channels["ingestion"])
        self.retrieval = retrieval_pb2_grpc.RetrievalServiceStub(self.channels["retrieval"])
        self.evaluation = evaluation_pb2_grpc.EvaluationServiceStub(self.channels["evaluation"])

    def auth(self, tenant: str) -> list[tuple[str, str]]:
        """gRPC metadata with the tenant's API key (LLMOPS_API_KEY, or one the local stack mints)."""
        if tenant not in self._keys:  # read (or minted) once per tenant, not on every call
            self._keys[tenant] = api_key(self.settings, tenant)
        return [("authorization", f"Bearer {self._keys[tenant]}")]

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    def ingest_file(self, tenant: str, file: Path) -> ingestion_pb2.DocumentResult:
        """One file sent inline; its document id is the file name."""
        content_type = content_type_for(file.name)
        if content_type is None:
            return ingestion_pb2.DocumentResult(
                document_id=file.name,
                outcome=ingestion_pb2.DOCUMENT_OUTCOME_FAILED,
                detail=f"unsupported file type (use {SUPPORTED})",
            )
        document = ingestion_pb2.SourceDocument(
            document_id=file.name, content=file.read_bytes(), content_type=CONTENT_TYPES[content_type],
            source_uri=file.resolve().as_uri(),
        )  # fmt: skip
        request = ingestion_pb2.IngestDocumentsRequest(tenant_id=tenant, documents=[document])
        result: ingestion_pb2.DocumentResult = self.ingestion.IngestDocuments(
            request, timeout=120, metadata=self.auth(tenant)
        ).results[0]
        return result

    def sync(self, tenant: str, directory: Path) -> ingestion_pb2.IngestReport:
        """Syncs a directory: the server compares it with the last sync (added, modified, deleted...)."""
        request = ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory=str(directory.resolve()))
        report: ingestion_pb2.IngestReport = self.ingestion.SyncSource(
            request, timeout=1800, metadata=self.auth(tenant)
        )
        return report

    def sync_urls(self, tenant: str, name: str, urls: list[str]) -> ingestion_pb2.IngestReport:
        request = ingestion_pb2.SyncSourceRequest(tenant_id=tenant, urls=ingestion_pb2.UrlList(name=name, urls=urls))
        report: ingestion_pb2.IngestReport = self.ingestion.SyncSource(
            request, timeout=1800, metadata=self.auth(tenant)
        )
        return report

    def expected(self, tenant: str) -> tuple[int, int]:
        """(chunks, documents) of the tenant's current document versions, as ingestion recorded them."""
        chunks, documents, token = 0, 0, ""
        while True:
            page = self.ingestion.ListDocuments(
                ingestion_pb2.ListDocumentsRequest(tenant_id=tenant, page=PageRequest(page_size=500, page_token=token)),
                metadata=self.auth(tenant),
            )
            chunks += sum(int(d.chunk_count) for d in page.documents)
            documents += len(page.documents)
            token = page.next_page_token
            if not token:
                return chunks, documents

    def retrieval_stats(self, tenant: str) -> retrieval_pb2.IndexStats:
        stats: retrieval_pb2.IndexStats = self.retrieval.GetIndexStats(
            retrieval_pb2.GetIndexStatsRequest(tenant_id=tenant), timeout=10, metadata=self.auth(tenant)
        )
        return stats

    def wait_indexed(self, tenant: str, timeout: float = 300) -> retrieval_pb2.IndexStats:
        """Blocks until retrieval serves exactly the current (not deleted) documents, each complete."""
        expected_chunks, expected_documents = self.expected(tenant)
        deadline = time.monotonic() + timeout
        while True:
            stats = self.retrieval_stats(tenant)
            done = (stats.chunks, stats.documents, stats.pending_documents) == (expected_chunks, expected_documents, 0)
            if done or time.monotonic() > deadline:
                return stats
            time.sleep(0.3)

    def ask(self, tenant: str, question: str) -> query_pb2.AskResponse:
        # wait_for_ready: a query service that is restarting (`llmops scale`, the supervisor) is waited
        # for within the timeout rather than reported as down.
        response: query_pb2.AskResponse = self.query.Ask(
            query_pb2.AskRequest(tenant_id=tenant, question=question),
            timeout=180,
            metadata=self.auth(tenant),
            wait_for_ready=True,
        )
        return response

    def wait_score(self, tenant: str, answer_id: str, timeout: float = 120) -> evaluation_pb2.AnswerScore | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                score: evaluation_pb2.AnswerScore = self.evaluation.GetAnswerScore(
                    evaluation_pb2.GetAnswerScoreRequest(tenant_id=tenant, answer_id=answer_id),
                    timeout=10,
                    metadata=self.auth(tenant),
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
                evaluation_pb2.GetDriftStateRequest(tenant_id=tenant), timeout=10, metadata=self.auth(tenant)
            )
            return state
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise

    def reset_drift(self, tenant: str, relearn: bool) -> evaluation_pb2.DriftState:
        state: evaluation_pb2.DriftState = self.evaluation.ResetDrift(
            evaluation_pb2.ResetDriftRequest(tenant_id=tenant, relearn=relearn), timeout=10, metadata=self.auth(tenant)
        )
        return state

    def review_answers(self, tenant: str, limit: int) -> list[evaluation_pb2.ReviewAnswer]:
        response: evaluation_pb2.ListReviewAnswersResponse = self.evaluation.ListReviewAnswers(
            evaluation_pb2.ListReviewAnswersRequest(tenant_id=tenant, page_size=limit),
            timeout=10,
            metadata=self.auth(tenant),
        )
        return list(response.answers)

    def knowledge_gaps(self, tenant: str, max_questions: int) -> evaluation_pb2.KnowledgeGaps:
        gaps: evaluation_pb2.KnowledgeGaps = self.evaluation.GetKnowledgeGaps(
            evaluation_pb2.GetKnowledgeGapsRequest(tenant_id=tenant, max_questions=max_questions),
            timeout=30,
            metadata=self.auth(tenant),
        )
        return gaps
