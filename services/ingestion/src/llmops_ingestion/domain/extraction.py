"""Text and title out of plain text, Markdown and HTML (navigation and boilerplate removed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bs4 import BeautifulSoup

BOILERPLATE_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg"]
BOILERPLATE_ROLES = re.compile(r"nav|menu|banner|breadcrumb|footer|sidebar|cookie", re.IGNORECASE)


class ContentType(Enum):
    PLAIN_TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True)
class ExtractedText:
    title: str
    text: str


def content_type_for(filename: str) -> ContentType | None:
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    return {"txt": ContentType.PLAIN_TEXT, "md": ContentType.MARKDOWN, "markdown": ContentType.MARKDOWN,
            "html": ContentType.HTML, "htm": ContentType.HTML}.get(suffix)  # fmt: skip


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:200]
    return ""


def _html(source: str) -> ExtractedText:
    soup = BeautifulSoup(source, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in [*soup.find_all(class_=BOILERPLATE_ROLES), *soup.find_all(id=BOILERPLATE_ROLES)]:
        if not tag.decomposed:
            tag.decompose()
    body = soup.find("main") or soup.find("article") or soup.body or soup
    blocks = [b.get_text(" ", strip=True) for b in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "dd"])]
    text = "\n\n".join(b for b in blocks if b) or body.get_text("\n", strip=True)
    heading = body.find("h1")
    return ExtractedText(title or (heading.get_text(strip=True) if heading else _first_line_title(text)), text)


def _markdown(source: str) -> ExtractedText:
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", source, flags=re.MULTILINE)  # headings keep their words
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"[*_`]{1,3}([^*_`]+)[*_`]{1,3}", r"\1", text)  # emphasis and code spans
    return ExtractedText(_first_line_title(source), text.strip())


def extract(source: str, content_type: ContentType) -> ExtractedText:
    if content_type is ContentType.HTML:
        return _html(source)
    if content_type is ContentType.MARKDOWN:
        return _markdown(source)
    return ExtractedText(_first_line_title(source), source.strip())
