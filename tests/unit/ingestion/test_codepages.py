"""Mojibake repair for the code page that really did the damage, detected from the text itself."""

from __future__ import annotations

import pytest

from llmops_ingestion.domain.codepages import CODEPAGES, WINDOWS_1252, Codepage, detect_codepage
from llmops_ingestion.domain.decoding import decode_document
from llmops_ingestion.domain.mojibake import repair_lossy_mojibake
from tests.unit.ingestion.test_mojibake import SAMPLE

WINDOWS_1254 = next(page for page in CODEPAGES if page.codec == "cp1254")
# The words the repair got wrong in two real files damaged by Windows-1254 while it assumed Windows-1252
# (参与→参不, 模型→模友, 原则→吟则, 透明→送昏, 从→仍, 实时监控→宝时监捧, 过去→过吻), in a sentence of our own.
REAL_1254_WORDS = ("参与", "模型", "原则", "透明", "从", "实时监控", "过去")
WITH_EMOJI = (
    "我们邀请社区成员参与模型评估，遵循公开透明的原则 🎉。团队从过去的事故中学习，并建立实时监控，"
    "确保发布都经过审查。欢迎大家提出意见，帮助我们改进服务质量。"
)


def mangle(text: str, page: Codepage) -> str:
    """UTF-8 read as ``page``: its undefined bytes and the soft hyphen lost, as real files show."""
    return text.encode("utf-8").translate(None, bytes(page.lost_bytes)).decode(page.codec)


def test_each_code_page_drops_its_own_undefined_bytes() -> None:
    assert WINDOWS_1252.lost_bytes == (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAD)
    assert WINDOWS_1254.lost_bytes == (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD)
    # The repair re-inserts continuation bytes only: a code page losing a lead byte is not offered.
    assert all(0x80 <= byte <= 0xBF for page in CODEPAGES for byte in page.lost_bytes)


@pytest.mark.parametrize("page", CODEPAGES, ids=[page.label for page in CODEPAGES])
def test_the_code_page_is_detected_from_a_page_of_damage(page: Codepage) -> None:
    assert detect_codepage(mangle(SAMPLE, page)) == page


def test_one_character_the_code_page_cannot_produce_rules_it_out() -> None:
    damaged = mangle(SAMPLE, WINDOWS_1252)
    assert "ž" in damaged or "Ž" in damaged  # 0x9E / 0x8E: Windows-1254 leaves them undefined
    assert detect_codepage(damaged) == WINDOWS_1252
    assert detect_codepage(mangle("好 🎉 好", WINDOWS_1254)) == WINDOWS_1254  # 'ğ' (0xF0) is not in 1252


def test_text_without_damage_is_taken_for_windows_1252() -> None:
    assert detect_codepage("plain text, café, naïve, “quotes” — 中文") == WINDOWS_1252


def test_windows_1254_damage_is_repaired_with_its_own_bytes() -> None:
    damaged = mangle(WITH_EMOJI, WINDOWS_1254)
    repair = repair_lossy_mojibake(damaged)
    assert repair.codepage == "Windows-1254"
    assert all(word in repair.text for word in REAL_1254_WORDS), repair.text
    # What assuming Windows-1252 did to the real files: wrong characters all through the text.
    assumed = repair_lossy_mojibake(damaged, WINDOWS_1252).text
    assert not all(word in assumed for word in REAL_1254_WORDS)


def test_an_astral_candidate_does_not_stop_the_repair() -> None:
    # Four-byte leads (0xF0) have candidates outside the BMP, in classes the BMP has no member of.
    repair = repair_lossy_mojibake(mangle("活动开始 🎉 欢迎参加。", WINDOWS_1254))
    assert repair.spans and "活动开始" in repair.text


def test_the_ingest_report_names_the_code_page() -> None:
    decoded = decode_document(("Intro.\n\n" + mangle(WITH_EMOJI, WINDOWS_1254)).encode("utf-8"))
    assert "repaired mojibake (lossy, UTF-8 read as Windows-1254)" in decoded.detail
