"""Title and heading-scoped sections out of plain text, Markdown and HTML.

The other formats (PDF, DOCX, CSV, JSON) are read by reading.py into the same ExtractedText; the
section builder and the page-furniture rule here are shared with them.

Navigation and boilerplate are removed. Each section carries its heading path ("Fares > Refunds")
so every chunk cut from it can say where in the document it came from. Plain text exported from
slide decks is repaired: page furniture (lines repeated on many pages) is dropped and the
one-word-per-line fragments are joined back into sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from bs4 import BeautifulSoup, Tag

BOILERPLATE_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg"]
BOILERPLATE_ROLES = re.compile(r"nav|menu|banner|breadcrumb|footer|sidebar|cookie", re.IGNORECASE)
HTML_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
HTML_BLOCKS = [*HTML_HEADINGS, "p", "li", "td", "dd"]
MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
MARKDOWN_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
PATH_SEPARATOR = " > "
# A line that closes a sentence (Latin or CJK stops, optionally inside closing quotes/brackets).
SENTENCE_CLOSED = re.compile(r"[.!?。！？；;:：][\"'”’)）」』]*$")
CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
DIGITS = re.compile(r"\d+")
# Page furniture is short and recurs: a line must be this short and appear on at least this many
# pages (or this many times when the text has no page breaks) to be treated as furniture.
FURNITURE_MAX_CHARS = 80
FURNITURE_MIN_REPEATS = 3
FURNITURE_PAGE_SHARE = 0.5
FURNITURE_MIN_GAP = 4  # lines between two counted occurrences when the text has no page breaks
# A slide fragment: a line of at most this many words (or CJK characters) without a closing stop;
# only used to tell a deck from prose.
FRAGMENT_MAX_WORDS = 4
FRAGMENT_MAX_CJK = 12
# A text is a slide deck when at least this share of its lines are fragments; ordinary prose with
# a few headings or list items stays as it was written.
DECK_FRAGMENT_SHARE = 0.6


class ContentType(Enum):
    PLAIN_TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"


# What extract() reads: text with markup. The rest has a reader of its own in reading.py.
MARKUP_TYPES = frozenset({ContentType.PLAIN_TEXT, ContentType.MARKDOWN, ContentType.HTML})
SUFFIXES = {
    "txt": ContentType.PLAIN_TEXT, "md": ContentType.MARKDOWN, "markdown": ContentType.MARKDOWN,
    "html": ContentType.HTML, "htm": ContentType.HTML, "pdf": ContentType.PDF, "docx": ContentType.DOCX,
    "csv": ContentType.CSV, "json": ContentType.JSON, "jsonl": ContentType.JSONL, "ndjson": ContentType.JSONL,
}  # fmt: skip


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]
    text: str

    @property
    def heading(self) -> str:
        return PATH_SEPARATOR.join(self.heading_path)


@dataclass(frozen=True)
class ExtractedText:
    title: str
    sections: tuple[Section, ...]

    @property
    def text(self) -> str:
        """The whole document's text (what its content hash is taken over)."""
        return "\n\n".join(s.text for s in self.sections)


def content_type_for(filename: str) -> ContentType | None:
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    return SUFFIXES.get(suffix)


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:200]
    return ""


class SectionBuilder:
    """Collects blocks under the current heading path.

    A heading with no body of its own (a chapter title right before its first sub-heading) is
    carried into the next section's text, so its words are still indexed and embedded.
    """

    def __init__(self) -> None:
        self.levels: list[tuple[int, str]] = []
        self.blocks: list[str] = []
        self.has_body = False
        self.sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        if self.has_body:
            self._close()
        # Levels, not positions: after h1 and h3, the next h3 replaces the first, an h2 replaces both.
        self.levels = [(lvl, title) for lvl, title in self.levels if lvl < level]
        if text:
            self.levels.append((level, text))
            self.blocks.append(text)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.levels)

    def body(self, text: str) -> None:
        if text.strip():
            self.blocks.append(text.strip())
            self.has_body = True

    def _close(self) -> None:
        self.sections.append(Section(self.path, "\n\n".join(self.blocks)))
        self.blocks, self.has_body = [], False

    def finish(self) -> tuple[Section, ...]:
        if self.blocks:
            self._close()
        return tuple(self.sections)


def _html(source: str) -> ExtractedText:
    soup = BeautifulSoup(source, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in [*soup.find_all(class_=BOILERPLATE_ROLES), *soup.find_all(id=BOILERPLATE_ROLES)]:
        if not tag.decomposed:
            tag.decompose()
    body = soup.find("main") or soup.find("article") or soup.body or soup
    builder = SectionBuilder()
    for block in body.find_all(HTML_BLOCKS):
        if not isinstance(block, Tag):
            continue
        text = block.get_text(" ", strip=True)
        if block.name in HTML_HEADINGS:
            builder.heading(HTML_HEADINGS[block.name], text)
        else:
            builder.body(text)
    sections = builder.finish()
    if not any(s.text for s in sections):
        sections = (Section((), body.get_text("\n", strip=True)),)
    heading = body.find("h1")
    return ExtractedText(
        title or (heading.get_text(strip=True) if heading else _first_line_title(sections[0].text)), sections
    )


def _markdown_inline(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their text
    return re.sub(r"[*_`]{1,3}([^*_`]+)[*_`]{1,3}", r"\1", text)  # emphasis and code spans


def _markdown(source: str) -> ExtractedText:
    builder = SectionBuilder()
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        builder.body("\n".join(paragraph))
        paragraph.clear()

    for line in source.splitlines():
        if MARKDOWN_FENCE.match(line):
            in_fence = not in_fence  # a "# comment" inside a code block is not a heading
        heading = None if in_fence else MARKDOWN_HEADING.match(line)
        if heading:
            flush()
            builder.heading(len(heading.group(1)), _markdown_inline(heading.group(2)).strip())
        elif line.strip():
            paragraph.append(_markdown_inline(line))
        else:
            flush()
    flush()
    return ExtractedText(_first_line_title(source), builder.finish())


def furniture_key(line: str) -> str:
    # "Page 3 / 18" and "Page 4 / 18" are the same furniture.
    return DIGITS.sub("#", " ".join(line.split()).casefold())


def _spaced_repeats(lines: list[str]) -> Counter[str]:
    """Occurrences of each line key, counting only those far enough apart to be on different pages,
    so a table's rows ("Q1 49%", "Q2 53%") are not mistaken for a footer."""
    counts: Counter[str] = Counter()
    last_seen: dict[str, int] = {}
    for position, line in enumerate(line for line in lines if line):
        key = furniture_key(line)
        if position - last_seen.get(key, -FURNITURE_MIN_GAP) >= FURNITURE_MIN_GAP:
            counts[key] += 1
            last_seen[key] = position
    return counts


def _page_furniture(pages: list[list[str]]) -> tuple[list[list[str]], set[str]]:
    """The pages (cut at recurring lines when the text has no page breaks) and the keys of the short
    lines that recur on many of them: running titles, page numbers, classification labels."""
    if len(pages) == 1:
        # Lines with words ("CONFIDENTIAL", "Page # / #") mark page edges; a bare number ("#.")
        # recurs in any numbered list, so it only counts once pages are known.
        spaced = _spaced_repeats(pages[0])
        edges = {k for k, n in spaced.items() if n >= FURNITURE_MIN_REPEATS and _short(k) and _has_word(k)}
        if not edges:
            return pages, set()
        furniture = _recurring(_split_at(pages[0], edges))
        # Cut again at the confirmed furniture only, so a rejected candidate splits no page.
        return _split_at(pages[0], furniture & edges), furniture
    return pages, _recurring(pages)


def recurring_furniture(pages: Sequence[Sequence[str]]) -> set[str]:
    """The furniture keys (see furniture_key) of pages whose breaks are known, as a PDF's are."""
    return _recurring([[line.strip() for line in page] for page in pages])


def _short(key: str) -> bool:
    return len(key) <= FURNITURE_MAX_CHARS and not _closes_sentence(key)


def _recurring(pages: list[list[str]]) -> set[str]:
    on_pages = Counter(key for page in pages for key in {furniture_key(line) for line in page if line})
    # On most pages, not just a few: a continued slide title ("Plan (2/3)") or a repeated
    # "Done: 2026-06" is content.
    needed = max(FURNITURE_MIN_REPEATS, FURNITURE_PAGE_SHARE * len(pages))
    return {key for key, n in on_pages.items() if n >= needed and _short(key)}


def _has_word(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _closes_sentence(line: str) -> bool:
    # "1." or "3.5" ends with a stop but is a list number, not the end of a sentence.
    return bool(SENTENCE_CLOSED.search(line)) and _has_word(line)


def _is_fragment(line: str) -> bool:
    if _closes_sentence(line):
        return False
    cjk = len(CJK_CHAR.findall(line))
    return len(line.split()) <= FRAGMENT_MAX_WORDS and cjk <= FRAGMENT_MAX_CJK


def join_lines(parts: Iterable[str]) -> str:
    """Lines of one paragraph as one line: a space between Latin words, none between Chinese characters."""
    joined = ""
    for part in parts:
        # Chinese is written without spaces; Latin words need one.
        space = "" if joined and CJK_CHAR.match(joined[-1]) and CJK_CHAR.match(part[0]) else " "
        joined = f"{joined}{space}{part}" if joined else part
    return joined


def _pages(source: str) -> list[list[str]]:
    """Stripped lines (blank ones kept as "") per page; a form feed is the page break of PDF exports."""
    pages = [[line.strip() for line in page.splitlines()] for page in source.split("\f")]
    return [page for page in pages if any(page)]


def _split_at(lines: list[str], edges: set[str]) -> list[list[str]]:
    """One page without breaks, cut where recurring lines begin a page (a run of them, such as
    footer + header, makes one cut)."""
    pages: list[list[str]] = [[]]
    for line in lines:
        is_edge = bool(line) and furniture_key(line) in edges
        if is_edge and any(kept and furniture_key(kept) not in edges for kept in pages[-1]):
            pages.append([])
        pages[-1].append(line)
    return pages


def _plain(source: str) -> ExtractedText:
    pages = _pages(source)
    lines = [line for page in pages for line in page if line]
    if not lines:
        return ExtractedText("", (Section((), ""),))
    pages, furniture = _page_furniture(pages)
    is_deck = sum(_is_fragment(line) for line in lines) >= DECK_FRAGMENT_SHARE * len(lines)
    if not furniture and not is_deck:
        return ExtractedText(_first_line_title(source), (Section((), source.strip()),))
    kept = [[line for line in page if not line or furniture_key(line) not in furniture] for page in pages]
    kept = [page for page in kept if any(page)] or [lines]
    if is_deck:
        # A slide's lines are layout, not sentences: one page reads as one paragraph, and the
        # deck's title is the first block of its first page.
        blocks = [join_lines(line for line in page if line) for page in kept]
        first_page = "\n".join(kept[0]).strip()
        title = join_lines(first_page.split("\n\n", 1)[0].splitlines())
    else:
        blocks = ["\n".join(page).strip() for page in kept]
        title = _first_line_title(blocks[0])
    return ExtractedText(title[:200], (Section((), "\n\n".join(blocks)),))


def extract(source: str, content_type: ContentType) -> ExtractedText:
    if content_type not in MARKUP_TYPES:
        raise ValueError(f"{content_type.value} is not a text markup; read it with reading.read_document")
    if content_type is ContentType.HTML:
        return _html(source)
    if content_type is ContentType.MARKDOWN:
        return _markdown(source)
    return _plain(source)
