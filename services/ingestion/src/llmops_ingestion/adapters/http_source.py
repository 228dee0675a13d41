"""A named list of URLs as a source, fetched with HTTP conditional requests.

The fingerprint is the response's ETag and Last-Modified; the next sync sends them back as
If-None-Match / If-Modified-Since, so an unchanged page costs a 304 and no body. 404 and 410 mean
the page is gone (its document is deleted); other failures keep the previous version.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import aiohttp

from llmops_core.errors import InvalidArgument
from llmops_ingestion.domain.documents import DOCUMENT_ID
from llmops_ingestion.domain.extraction import ContentType, content_type_for
from llmops_ingestion.domain.sources import EntryGone, Fetched, SourceEntry, UnreadableEntry

MAX_URLS = 1000
SOURCE_NAME_CHARS = 100
MEDIA_TYPES = {
    "text/plain": ContentType.PLAIN_TEXT,
    "text/markdown": ContentType.MARKDOWN,
    "text/html": ContentType.HTML,
    "application/xhtml+xml": ContentType.HTML,
    "application/pdf": ContentType.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ContentType.DOCX,
    "text/csv": ContentType.CSV,
    "application/json": ContentType.JSON,
    "application/x-ndjson": ContentType.JSONL,
    "application/jsonl": ContentType.JSONL,
}


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme
    except ValueError:  # "http://[": a bracketed host that is not an IPv6 address
        return ""


def validate_urls(name: str, urls: list[str], allowed_prefixes: list[str]) -> list[str]:
    if not name or len(name) > SOURCE_NAME_CHARS or not DOCUMENT_ID.match(name) or "\x00" in name:
        raise InvalidArgument(f"urls.name is required: 1-{SOURCE_NAME_CHARS} characters without whitespace or NUL")
    if not 1 <= len(urls) <= MAX_URLS:
        raise InvalidArgument(f"send 1-{MAX_URLS} URLs, got {len(urls)}")
    if not allowed_prefixes:
        raise InvalidArgument("this server fetches no URLs (LLMOPS_INGESTION_ALLOWED_URL_PREFIXES is empty)")
    for url in urls:
        if _scheme(url) not in ("http", "https") or not DOCUMENT_ID.match(url) or "\x00" in url:
            raise InvalidArgument(f"{url[:200]!r} is not an http(s) URL of at most 200 characters")
        if not any(url.startswith(prefix) for prefix in allowed_prefixes):
            raise InvalidArgument(f"{url} is outside the allowed URL prefixes: {', '.join(allowed_prefixes)}")
    if len(set(urls)) != len(urls):
        raise InvalidArgument("the URL list names a URL twice")
    return urls


def _content_type(url: str, header: str) -> ContentType | None:
    media = header.split(";", 1)[0].strip().lower()
    return MEDIA_TYPES.get(media) or content_type_for(urlsplit(url).path)


class HttpSource:
    def __init__(self, name: str, urls: list[str], max_bytes: int, timeout_seconds: float = 30.0) -> None:
        self.name = name
        self.urls = urls
        self.max_bytes = max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    @property
    def key(self) -> str:
        return f"urls:{self.name}"

    @property
    def label(self) -> str:
        return f"URL list {self.name!r}"

    @property
    def metadata(self) -> dict[str, str]:
        return {"source": self.name}

    async def entries(self) -> list[SourceEntry]:
        return [SourceEntry(url, url) for url in self.urls]

    async def fetch(self, entry: SourceEntry, previous_fingerprint: str) -> Fetched | None:
        previous = json.loads(previous_fingerprint) if previous_fingerprint else {}
        headers = {}
        if previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(entry.uri, headers=headers, allow_redirects=True) as response,
            ):
                if response.status == 304:
                    return None
                if response.status in (404, 410):
                    raise EntryGone(f"HTTP {response.status}: the page is gone")
                if response.status >= 400:
                    raise UnreadableEntry(f"HTTP {response.status} {response.reason}; the previous version is kept")
                if (response.content_length or 0) > self.max_bytes:
                    raise UnreadableEntry(f"the page is {response.content_length} bytes; the limit is {self.max_bytes}")
                content = bytearray()
                async for piece in response.content.iter_chunked(64 * 1024):
                    content += piece
                    if len(content) > self.max_bytes:
                        raise UnreadableEntry(f"the page is larger than the limit of {self.max_bytes} bytes")
                fingerprint = {"etag": response.headers.get("ETag", ""),
                               "last_modified": response.headers.get("Last-Modified", "")}  # fmt: skip
                content_type = _content_type(entry.uri, response.headers.get("Content-Type", ""))
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UnreadableEntry(f"could not fetch: {error or type(error).__name__}") from error
        return Fetched(bytes(content), content_type, json.dumps(fingerprint, sort_keys=True))
