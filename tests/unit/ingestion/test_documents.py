"""Ingestion domain: decoding and repair, extraction, chunking, versioning."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_ingestion.domain.chunking import chunk_id, chunk_text, detect_language, sentences
from llmops_ingestion.domain.decoding import UndecodableDocument, decode_document
from llmops_ingestion.domain.documents import Outcome, SourceDocument, StoredDocument, ingest_document
from llmops_ingestion.domain.extraction import ContentType, extract

POLICY_ZH = "本公司的退貨政策如下：顧客在收到商品後三十天內，可以憑發票申請退貨。商品必須保持原包裝完整。"


@pytest.mark.parametrize("encoding", ["utf-8", "big5", "utf-16"])
def test_traditional_chinese_in_several_encodings(encoding: str) -> None:
    assert decode_document((POLICY_ZH * 2).encode(encoding)).text == POLICY_ZH * 2


def test_simplified_chinese_in_gb18030() -> None:
    text = "本公司的退货政策如下：顾客在收到商品后三十天内，可以凭发票申请退货或换货。" * 2
    decoded = decode_document(text.encode("gb18030"))
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_mojibake_is_repaired() -> None:
    original = "Café returns: 退貨 within 30 days — “no questions asked”"
    mojibake = original.encode("utf-8").decode("sloppy-windows-1252")
    decoded = decode_document(mojibake.encode("utf-8"))
    assert decoded.text == original
    assert decoded.repaired
    assert "repaired mojibake" in decoded.detail


def test_binary_content_is_refused() -> None:
    with pytest.raises(UndecodableDocument):
        decode_document(b"\x00\x01\x02PK\x03\x04" * 50)


def test_html_boilerplate_is_removed() -> None:
    html = """<html><head><title>Shipping FAQ</title><script>track()</script></head><body>
      <nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
      <div class="cookie-banner">We use cookies</div>
      <main><h1>Shipping</h1><p>Standard shipping takes 3-5 business days.</p>
      <ul><li>Express: next day.</li></ul></main>
      <footer>© 2026 Acme</footer></body></html>"""
    extracted = extract(html, ContentType.HTML)
    assert extracted.title == "Shipping FAQ"
    assert "Standard shipping takes 3-5 business days." in extracted.text
    assert "Express: next day." in extracted.text
    for boilerplate in ("Home", "cookies", "2026 Acme", "track()"):
        assert boilerplate not in extracted.text


def test_markdown_keeps_words_not_markup() -> None:
    extracted = extract("# Returns\n\nSee **our** [policy](http://x) `now`.", ContentType.MARKDOWN)
    assert extracted.title == "Returns"
    assert extracted.text == "Returns\n\nSee our policy now."


def test_sentences_in_english_and_chinese() -> None:
    assert sentences("One. Two? Three!\n\n第一句。第二句！第三句？") == [
        "One.", "Two?", "Three!", "第一句。", "第二句！", "第三句？",
    ]  # fmt: skip


def test_chunks_respect_sentences_and_limit() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_text(text, max_chars=200)
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    assert " ".join(c.text for c in chunks) == text
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chinese_chunks_join_without_spaces() -> None:
    chunks = chunk_text(POLICY_ZH)
    assert [c.text for c in chunks] == [POLICY_ZH]
    assert chunks[0].language == "zh-Hant"


@pytest.mark.parametrize(
    ("text", "language"),
    [("Returns within 30 days.", "en"), ("退貨政策：三十天內可以退貨，還有問題請聯絡我們。", "zh-Hant"),
     ("退货政策：三十天内可以退货，还有问题请联系我们。", "zh-Hans")],
)  # fmt: skip
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_chunk_ids_depend_on_document_version_and_text() -> None:
    assert chunk_id("d", 1, "t") == chunk_id("d", 1, "t")
    assert len({chunk_id("d", 1, "t"), chunk_id("d", 2, "t"), chunk_id("e", 1, "t"), chunk_id("d", 1, "u")}) == 4


class MemoryRepository:
    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], StoredDocument] = {}

    async def get(self, tenant_id: str, document_id: str) -> StoredDocument | None:
        return self.documents.get((tenant_id, document_id))

    async def save(self, tenant_id: str, document: StoredDocument) -> None:
        self.documents[(tenant_id, document.document_id)] = document


class RecordingPublisher:
    def __init__(self) -> None:
        self.chunks: list[DocumentChunked] = []

    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None:
        self.chunks += chunks


def test_versions_skip_and_reject() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()

    def ingest(document: SourceDocument) -> tuple[Outcome, int, str]:
        result = asyncio.run(ingest_document("acme", document, repository, publisher))
        return result.outcome, result.version, result.detail

    v1 = SourceDocument("faq.md", b"# FAQ\n\nReturns within 30 days.", ContentType.MARKDOWN)
    assert ingest(v1)[:2] == (Outcome.INGESTED, 1)
    assert ingest(v1)[:2] == (Outcome.SKIPPED_UNCHANGED, 1)
    v2 = SourceDocument("faq.md", b"# FAQ\n\nReturns within 60 days.", ContentType.MARKDOWN)
    assert ingest(v2)[:2] == (Outcome.INGESTED, 2)
    assert [c.document_version for c in publisher.chunks] == [1, 2]
    assert publisher.chunks[1].chunk_count == 1
    assert publisher.chunks[1].envelope.tenant_id == "acme"
    assert ingest(SourceDocument("bad id", b"x", ContentType.PLAIN_TEXT)) == (
        Outcome.REJECTED, 0, "document_id must be 1-200 characters without whitespace",
    )  # fmt: skip
    assert ingest(SourceDocument("x.txt", b"hello", None))[0] is Outcome.REJECTED
    assert ingest(SourceDocument("bin.txt", b"\x00\x01" * 100, ContentType.PLAIN_TEXT))[0] is Outcome.REJECTED
    assert len(publisher.chunks) == 2
