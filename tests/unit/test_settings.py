"""Settings: one prefix per service, shared prefixes for infrastructure, .env support."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.settings import KafkaSettings
from llmops_embedding.settings import EmbeddingSettings
from llmops_retrieval.settings import RetrievalSettings


def test_service_prefix_and_shared_infrastructure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMOPS_RETRIEVAL_GRPC_PORT", "6000")
    monkeypatch.setenv("LLMOPS_EMBEDDING_GRPC_PORT", "6001")
    monkeypatch.setenv("LLMOPS_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("LLMOPS_POSTGRES_HOST", "db")
    retrieval, embedding = RetrievalSettings(), EmbeddingSettings()
    assert (retrieval.grpc_port, embedding.grpc_port) == (6000, 6001)
    assert retrieval.kafka.bootstrap_servers == embedding.kafka.bootstrap_servers == "kafka:9092"
    assert retrieval.postgres.host == "db"


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LLMOPS_KAFKA_PROFILE=kafka\nLLMOPS_KAFKA_RETRY_DEADLINE_SECONDS=45\n")
    monkeypatch.chdir(tmp_path)
    settings = KafkaSettings()
    assert (settings.profile, settings.retry_deadline_seconds) == ("kafka", 45)


def test_bad_value_is_rejected_with_the_field_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMOPS_KAFKA_PROFILE", "rabbitmq")
    with pytest.raises(ValueError, match="profile"):
        KafkaSettings()
