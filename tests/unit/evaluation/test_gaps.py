"""Knowledge gaps: abstained questions grouped by what they ask."""

from __future__ import annotations

import asyncio

import pytest

from llmops_core.errors import InvalidArgument
from llmops_evaluation.domain.gaps import cluster_questions
from llmops_evaluation.use_cases import knowledge_gaps
from tests.unit.evaluation.fakes import MemoryFeedback
from tests.unit.grounding.fakes import WordOverlapEmbedder


def test_questions_on_one_topic_form_one_group_largest_first() -> None:
    vectors = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.95, 0.05]]
    clusters = cluster_questions(["kayak?", "kayak rental?", "stores?", "kayak sizes?"], vectors, 0.8)
    assert [c.size for c in clusters] == [3, 1]
    assert clusters[0].examples() == ["kayak?", "kayak rental?", "kayak sizes?"]


def test_dissimilar_questions_stay_apart() -> None:
    clusters = cluster_questions(["a", "b"], [[1.0, 0.0], [0.0, 1.0]], 0.5)
    assert [c.questions for c in clusters] == [["a"], ["b"]]


def test_use_case_reads_embeds_and_validates() -> None:
    read, clusters = asyncio.run(knowledge_gaps("acme", 0, MemoryFeedback(), WordOverlapEmbedder()))
    assert read == 3 and sum(c.size for c in clusters) == 3
    with pytest.raises(InvalidArgument, match="max_questions"):
        asyncio.run(knowledge_gaps("acme", 5000, MemoryFeedback(), WordOverlapEmbedder()))
