"""Broker profiles: Tansu's quirks stay in one place; Apache Kafka gets idempotence."""

from __future__ import annotations

from llmops_core.kafka import consumer_options
from llmops_core.kafka.broker import producer_options
from llmops_core.settings import KafkaSettings


def test_tansu_profile_reads_from_earliest_with_short_timeouts() -> None:
    options = consumer_options(KafkaSettings(profile="tansu"))
    assert options["auto_offset_reset"] == "earliest"
    assert 2000 <= options["session_timeout_ms"] <= 6000
    assert 300 <= options["heartbeat_interval_ms"] <= 1000
    assert 50 <= options["fetch_max_wait_ms"] <= 100


def test_idempotence_only_on_apache_kafka() -> None:
    assert producer_options(KafkaSettings(profile="tansu")) == {
        "acks": "all",
        "enable_idempotence": False,
        "compression_type": "gzip",
    }
    assert producer_options(KafkaSettings(profile="kafka"))["enable_idempotence"] is True
