"""Where an operator owns the topics (LLMOPS_KAFKA_CREATE_TOPICS=false on Kubernetes), services create
none: they start once the topics exist and refuse, naming the missing ones, when they never appear."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from llmops_core.errors import FailedPrecondition
from llmops_core.kafka import ensure_topics
from llmops_core.settings import KafkaSettings


async def topic_names(settings: KafkaSettings) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_a_service_that_may_not_create_topics_waits_for_them_and_names_the_missing(
    kafka_settings: KafkaSettings,
) -> None:
    topic = f"owned-{uuid.uuid4().hex[:8]}"
    owned = kafka_settings.model_copy(update={"create_topics": False, "topics_wait_seconds": 1.0})

    async def scenario() -> tuple[str, set[str], list[str]]:
        with pytest.raises(FailedPrecondition) as refused:
            await ensure_topics(owned, [topic])
        after_refusal = await topic_names(kafka_settings)
        await ensure_topics(kafka_settings, [topic])  # the owner creates them
        return str(refused.value), after_refusal, await ensure_topics(owned, [topic])

    message, after_refusal, created = asyncio.run(scenario())
    assert f"{topic}, {topic}.dlq" in message and "LLMOPS_KAFKA_CREATE_TOPICS" in message
    assert topic not in after_refusal and f"{topic}.dlq" not in after_refusal  # it created nothing
    assert created == []  # present now: it starts, and still creates nothing
