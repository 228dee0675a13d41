"""The directory source on a real folder, and the URL list's validation (no network)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from llmops_core.errors import InvalidArgument
from llmops_ingestion.adapters.directory_source import DirectorySource
from llmops_ingestion.adapters.http_source import validate_urls
from llmops_ingestion.domain.extraction import ContentType
from llmops_ingestion.domain.sources import UnreadableEntry


def test_directory_listing_fingerprints_caps_and_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "docs", tmp_path / "private"
    (root / "faq").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text("not for the index")
    (root / "faq" / "a.md").write_text("# A\n\nAlpha.")
    (root / "big.txt").write_bytes(b"x" * 2048)
    (root / "photo.png").write_bytes(b"\x89PNG")
    (root / ".hidden.md").write_text("editor swap")
    (root / "leak.md").symlink_to(outside / "secret.md")
    (root / "private").symlink_to(outside)
    (root / "alias.md").symlink_to(root / "faq" / "a.md")
    source = DirectorySource(root, max_bytes=1024)

    entries = {e.document_id: e for e in asyncio.run(source.entries())}
    assert set(entries) == {"alias.md", "big.txt", "faq/a.md", "leak.md", "private"}
    assert "outside the source directory" in entries["leak.md"].problem
    assert "outside the source directory" in entries["private"].problem
    assert not entries["faq/a.md"].problem and entries["faq/a.md"].fingerprint

    fetched = asyncio.run(source.fetch(entries["faq/a.md"], ""))
    assert (fetched.content, fetched.content_type) == (b"# A\n\nAlpha.", ContentType.MARKDOWN)
    with pytest.raises(UnreadableEntry, match="2048 bytes; the limit is 1024"):
        asyncio.run(source.fetch(entries["big.txt"], ""))

    before = entries["faq/a.md"].fingerprint
    stat = (root / "faq" / "a.md").stat()
    (root / "faq" / "a.md").write_text("# A\n\nAlpha!")
    os.utime(root / "faq" / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back, as cp -p does
    after = {e.document_id: e for e in asyncio.run(source.entries())}["faq/a.md"].fingerprint
    assert after != before


@pytest.mark.parametrize(
    ("name", "urls", "prefixes", "message"),
    [
        ("site", ["http://127.0.0.1/a"], [], "fetches no URLs"),
        ("site", ["http://10.0.0.1/admin"], ["http://127.0.0.1"], "outside the allowed URL prefixes"),
        ("site", ["ftp://127.0.0.1/a"], ["ftp://"], r"not an http\(s\) URL"),
        ("", ["http://127.0.0.1/a"], ["http://"], "urls.name is required"),
        ("site", [], ["http://"], "send 1-1000 URLs"),
        ("site", ["http://127.0.0.1/a", "http://127.0.0.1/a"], ["http://"], "names a URL twice"),
    ],
)
def test_url_lists_are_validated(name: str, urls: list[str], prefixes: list[str], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        validate_urls(name, urls, prefixes)
