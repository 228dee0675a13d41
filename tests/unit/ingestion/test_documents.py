"""Ingestion domain: decoding and repair, extraction, chunking, versioning."""

from __future__ import annotations

import asyncio

import pytest

from llmops.ingestion.v1.events_pb2 import DocumentChange
from llmops_core.errors import Unavailable
from llmops_ingestion.domain.chunking import chunk_ids, chunk_text, detect_language, sentences
from llmops_ingestion.domain.decoding import UndecodableDocument, decode_document
from llmops_ingestion.domain.documents import (
    DocumentResult,
    Outcome,
    SourceDocument,
    delete_document,
    ingest_document,
)
from llmops_ingestion.domain.extraction import ContentType, extract
from tests.unit.ingestion.fakes import EmailScreener, MemoryRepository, RecordingPublisher

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


def test_chunk_ids_are_content_ids() -> None:
    """The same chunk keeps its id across versions; title, metadata, text and repeats tell ids apart."""
    (same,) = chunk_ids("d", "T", [("t", {})])
    assert chunk_ids("d", "T", [("t", {})]) == [same]
    others = [*chunk_ids("e", "T", [("t", {})]), *chunk_ids("d", "U", [("t", {})]), *chunk_ids("d", "T", [("u", {})])]
    others += chunk_ids("d", "T", [("t", {"heading_path": "A"})])
    twice = chunk_ids("d", "T", [("t", {}), ("t", {})])
    assert len({same, *others, twice[1]}) == 6 and twice[0] == same


def ingest(repository: MemoryRepository, publisher: RecordingPublisher, document: SourceDocument) -> DocumentResult:
    return asyncio.run(ingest_document("acme", document, repository, publisher))


def test_versions_unchanged_and_failures() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()

    def outcome(document: SourceDocument) -> tuple[Outcome, int, str]:
        result = ingest(repository, publisher, document)
        return result.outcome, result.version, result.detail

    v1 = SourceDocument("faq.md", b"# FAQ\n\nReturns within 30 days.", ContentType.MARKDOWN)
    assert outcome(v1)[:2] == (Outcome.ADDED, 1)
    assert outcome(v1)[:2] == (Outcome.UNCHANGED, 1)
    v2 = SourceDocument("faq.md", b"# FAQ\n\nReturns within 60 days.", ContentType.MARKDOWN)
    assert outcome(v2)[:2] == (Outcome.MODIFIED, 2)
    assert [c.document_version for c in publisher.chunks] == [1, 2]
    assert [(c.document_id, c.document_version, len(c.manifest.chunks)) for c in publisher.changes] == [
        ("faq.md", 1, 1), ("faq.md", 2, 1),
    ]  # fmt: skip
    assert publisher.changes[1].manifest.chunks[0].chunk_id == publisher.chunks[1].chunk_id
    assert publisher.chunks[1].envelope.tenant_id == "acme"
    assert outcome(SourceDocument("bad id", b"x", ContentType.PLAIN_TEXT)) == (
        Outcome.FAILED, 0, "document_id must be 1-200 characters without whitespace",
    )  # fmt: skip
    assert outcome(SourceDocument("x.txt", b"hello", None))[0] is Outcome.FAILED
    assert outcome(SourceDocument("bin.txt", b"\x00\x01" * 100, ContentType.PLAIN_TEXT))[0] is Outcome.FAILED
    assert len(publisher.chunks) == 2


def test_a_modified_document_publishes_only_its_changed_chunks() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    sections = [f"## Part {i}\n\nPart {i} says that item {i} costs {i * 10} dollars." for i in range(5)]
    first = ingest(repository, publisher, SourceDocument("p.md", "\n\n".join(sections).encode(), ContentType.MARKDOWN))
    assert (first.outcome, first.chunk_count, first.published, first.reused) == (Outcome.ADDED, 5, 5, 0)
    sections[2] = "## Part 2\n\nPart 2 now says that item 2 costs 25 dollars."
    del sections[4]
    second = ingest(repository, publisher, SourceDocument("p.md", "\n\n".join(sections).encode(), ContentType.MARKDOWN))
    assert (second.outcome, second.chunk_count, second.published, second.reused) == (Outcome.MODIFIED, 4, 1, 3)
    assert publisher.chunks[-1].text.endswith("Part 2 now says that item 2 costs 25 dollars.")
    manifest = publisher.changes[-1].manifest.chunks
    assert [c.chunk_index for c in manifest] == [0, 1, 2, 3]
    first_ids = [c.chunk_id for c in publisher.changes[0].manifest.chunks]
    assert [c.chunk_id for c in manifest] == [first_ids[0], first_ids[1], publisher.chunks[-1].chunk_id, first_ids[3]]


def test_concurrent_ingests_of_one_document_get_one_version_each() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()

    async def race() -> list[DocumentResult]:
        same = SourceDocument("faq.md", b"Returns within 30 days.", ContentType.PLAIN_TEXT)
        other = SourceDocument("faq.md", b"Returns within 60 days.", ContentType.PLAIN_TEXT)
        return list(
            await asyncio.gather(*(ingest_document("acme", d, repository, publisher) for d in (same, same, other)))
        )

    results = asyncio.run(race())
    assert sorted(r.outcome.value for r in results) == ["added", "modified", "unchanged"]
    assert sorted(c.document_version for c in publisher.changes) == [1, 2]


def test_delete_publishes_a_tombstone_version() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    ingest(repository, publisher, SourceDocument("faq.md", b"Returns within 30 days.", ContentType.PLAIN_TEXT))
    deleted = asyncio.run(delete_document("acme", "faq.md", repository, publisher, "gone"))
    assert (deleted.outcome, deleted.version) == (Outcome.DELETED, 2)
    assert publisher.changes[-1].WhichOneof("change") == "deleted"
    assert publisher.changes[-1].deleted.reason == "gone"
    again = asyncio.run(delete_document("acme", "faq.md", repository, publisher, "gone"))
    assert again.outcome is Outcome.FAILED
    back = ingest(repository, publisher, SourceDocument("faq.md", b"Returns within 30 days.", ContentType.PLAIN_TEXT))
    assert (back.outcome, back.version, back.published) == (Outcome.ADDED, 3, 1)


class DyingPublisher(RecordingPublisher):
    """Dies after publishing the chunks, before the manifest: ingestion killed mid-publish."""

    def __init__(self) -> None:
        super().__init__()
        self.die = True

    async def publish_change(self, change: DocumentChange) -> None:
        if self.die:
            self.die = False
            raise ConnectionError("ingestion died mid-publish")
        await super().publish_change(change)


def test_a_run_that_died_halfway_is_redone_whole_with_the_same_ids() -> None:
    repository, publisher = MemoryRepository(), DyingPublisher()
    document = SourceDocument(
        "faq.md", b"# FAQ\n\nReturns within 30 days.\n\n## Refunds\n\nTo the card.", ContentType.MARKDOWN
    )
    with pytest.raises(ConnectionError):
        ingest(repository, publisher, document)
    assert repository.documents == {}  # nothing recorded: the next run starts over
    died_with = [c.chunk_id for c in publisher.chunks]
    result = ingest(repository, publisher, document)
    assert (result.outcome, result.version, result.published) == (Outcome.ADDED, 1, 2)
    assert [c.chunk_id for c in publisher.chunks[len(died_with) :]] == died_with  # same ids: upserts absorb them
    assert [c.chunk_id for c in publisher.changes[0].manifest.chunks] == died_with


def test_chunks_are_screened_before_anything_is_published() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    text = b"Write to jane.doe@example.com for a refund within 30 days."
    document = SourceDocument("contact.txt", text, ContentType.PLAIN_TEXT)
    result = asyncio.run(ingest_document("acme", document, repository, publisher, screener=EmailScreener()))
    assert result.outcome is Outcome.ADDED and "redacted pii.email" in result.detail
    assert [c.text for c in publisher.chunks] == ["Write to [EMAIL] for a refund within 30 days."]
    with pytest.raises(Unavailable, match="could not be screened"):  # the call fails, not the document
        asyncio.run(ingest_document("acme", document, MemoryRepository(), publisher, screener=EmailScreener(down=True)))
    assert len(publisher.chunks) == 1  # nothing unscreened went out


def test_a_document_id_with_a_trailing_newline_is_refused() -> None:
    result = ingest(
        MemoryRepository(), RecordingPublisher(), SourceDocument("faq.md\n", b"text", ContentType.PLAIN_TEXT)
    )
    assert result.outcome is Outcome.FAILED and "without whitespace" in result.detail
