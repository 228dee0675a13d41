"""End to end: corpus in, golden questions over gRPC, answers and scores out on Kafka."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from typing import Any

from llmops.evaluation.v1.events_pb2 import AnswerScored
from llmops.query.v1 import query_pb2
from llmops.query.v1.events_pb2 import AnswerProduced
from llmops_core.topics import ALL_TOPICS, ANSWERS, ANSWERS_SCORED
from llmops_evaluation.domain.suites import fact_present
from llmops_stack.client import PlatformClient
from llmops_stack.demo import load_golden, prepare_source
from llmops_stack.stack import Stack
from tests.e2e.conftest import EMAIL, PII_QUESTION
from tests.integration.kafka_helpers import read_all, read_until_idle

STATUS = {"answered": query_pb2.ANSWER_STATUS_ANSWERED, "abstained": query_pb2.ANSWER_STATUS_ABSTAINED,
          "refused": query_pb2.ANSWER_STATUS_REFUSED}  # fmt: skip


def events(platform: Stack, topic: str, expected: int) -> list[Any]:
    return asyncio.run(read_all(platform.settings.kafka_bootstrap, topic, expected=expected, timeout=120))


CHECKED = {query_pb2.ANSWER_OUTCOME_VERIFIED, query_pb2.ANSWER_OUTCOME_FALLBACK, query_pb2.ANSWER_OUTCOME_EXTRACTIVE}
# Measured on the golden set; the share of right answers may only go up. A right answer: its facts present
# (normalised) and its document cited. 12 of 13 on 2026-11-23 counted quotes given after a failed draft;
# since decision 0038 a failed draft abstains instead (on the blind set those quotes were mostly wrong):
# with Qwen2.5-0.5B and rag-answer v1: 9 of 13 (`llmops demo`) and 8 of 13 (this test), none wrong shown
# (2026-12-08).
MIN_RIGHT_ANSWERS = 8


def test_golden_answers_are_checked_quoted_or_withheld(answers: dict[str, Any]) -> None:
    right = 0
    for case in load_golden()["questions"]:
        response = answers[case["question"]]
        if case["expect"] == "refused":
            assert response.status == query_pb2.ANSWER_STATUS_REFUSED, case["question"]
            assert response.outcome == query_pb2.ANSWER_OUTCOME_REFUSED
            assert response.reason  # the policy's sentence to the user; each finding's own is on the trace
        elif case["expect"] == "abstained":
            assert response.status == query_pb2.ANSWER_STATUS_ABSTAINED, (case["question"], response.answer)
            assert "don't know" in response.answer
            assert response.citations == []
        elif response.status == query_pb2.ANSWER_STATUS_ANSWERED:
            # Whatever the model wrote, what is shown was checked or quoted, and cites what supports it.
            assert response.outcome in CHECKED, case["question"]
            assert response.outcome_reason and response.trace_id and response.citations
            for citation in response.citations:
                assert 0.0 < citation.similarity <= 1.0 and citation.snippet
            if response.outcome == query_pb2.ANSWER_OUTCOME_EXTRACTIVE:
                quoted = response.answer.split("[")[0].strip().strip("“”「」")
                assert quoted in response.citations[0].snippet.strip("…")
            cited = case["document"] in {c.document_id for c in response.citations}
            right += cited and all(fact_present(f, response.answer) for f in case["facts"])
        else:
            assert response.status == query_pb2.ANSWER_STATUS_ABSTAINED, case["question"]
    assert right >= MIN_RIGHT_ANSWERS


def test_every_answer_is_an_event_and_is_scored_in_the_same_trace(platform: Stack, answers: dict[str, Any]) -> None:
    produced = {
        e.answer_id: e for e in (AnswerProduced.FromString(r.value) for r in events(platform, ANSWERS, len(answers)))
    }
    scored: dict[str, AnswerScored] = {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not set(a.answer_id for a in answers.values()) <= set(scored):
        records = events(platform, ANSWERS_SCORED, len(answers))
        scored = {s.score.answer_id: s for s in (AnswerScored.FromString(r.value) for r in records)}
    for question, response in answers.items():
        assert response.answer_id in produced, question
        assert produced[response.answer_id].status == response.status
        assert response.answer_id in scored, f"no score for {question!r}"
        assert scored[response.answer_id].envelope.trace_id == response.trace_id
    ours = [produced[response.answer_id] for response in answers.values()]
    refusals = [e for e in ours if e.status == query_pb2.ANSWER_STATUS_REFUSED]
    assert len(refusals) == sum(case["expect"] == "refused" for case in load_golden()["questions"])
    assert all(r.reason for r in refusals)


def test_personal_data_never_reaches_any_topic(platform: Stack, answers: dict[str, Any]) -> None:
    assert answers[PII_QUESTION].status == query_pb2.ANSWER_STATUS_ANSWERED
    for topic in ALL_TOPICS:
        for record in asyncio.run(read_until_idle(platform.settings.kafka_bootstrap, topic)):
            blob = (record.value or b"") + b"".join(v for _, v in record.headers)
            assert EMAIL.encode() not in blob, topic
            assert b"555 0134" not in blob, topic
    produced = [AnswerProduced.FromString(r.value) for r in events(platform, ANSWERS, len(answers))]
    assert any("[EMAIL]" in e.question and "[PHONE]" in e.question for e in produced)


def test_stopping_an_embedding_replica_mid_ingest_loses_no_chunk(platform: Stack, client: PlatformClient) -> None:
    tenant = f"failover-{uuid.uuid4().hex[:8]}"
    source = prepare_source(platform.settings, tenant)
    replica = platform.table.get("embedding-2")
    assert replica is not None
    killer = threading.Timer(0.5, lambda: os.kill(replica.pid, signal.SIGKILL))
    killer.start()
    report = client.sync(tenant, source)
    killer.join()
    assert report.documents_added == report.documents_seen - report.documents_failed > 20
    stats = client.wait_indexed(tenant, timeout=300)
    assert (stats.chunks, stats.documents) == client.expected(tenant)
    assert stats.chunks == report.chunks_published
