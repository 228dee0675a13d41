"""A directory on the ingestion server's disk as a source.

Document ids are paths relative to the directory; the fingerprint is size and change times,
so an unchanged file is not even read on the next sync. Files are read in pieces up to a size
cap, and nothing outside the directory is read: a symlink that leaves it is reported, not followed.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from llmops_core.errors import InvalidArgument, NotFound
from llmops_ingestion.domain.extraction import content_type_for
from llmops_ingestion.domain.sources import Fetched, SourceEntry, UnreadableEntry

READ_PIECE = 1024 * 1024
SHOWN_CHARS = 200  # of a path repeated in an error: the sentence must stay short enough to send


def resolve_directory(directory: str, roots: list[str]) -> Path:
    """The directory, which must lie inside one of the configured roots (no reading of /etc)."""
    if not directory:
        raise InvalidArgument("directory is required")
    if "\x00" in directory:
        raise InvalidArgument("directory must not contain NUL characters")
    shown = directory if len(directory) <= SHOWN_CHARS else directory[:SHOWN_CHARS] + "…"
    path = Path(directory).resolve()
    if not any(path == Path(r).resolve() or Path(r).resolve() in path.parents for r in roots):
        allowed = ", ".join(roots) or "none configured (LLMOPS_INGESTION_SOURCE_ROOTS)"
        raise InvalidArgument(f"{shown} is outside the allowed source roots: {allowed}")
    try:
        is_dir = path.is_dir()
    except OSError as error:  # a name longer than the file system allows
        raise InvalidArgument(f"cannot read the directory {shown}: {error.strerror}") from error
    if not is_dir:
        raise NotFound(f"no directory {shown}")
    return path


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, read in pieces; more than ``max_bytes`` is refused before it is all in memory."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableEntry(f"the file is {size} bytes; the limit is {max_bytes} (LLMOPS_INGESTION_MAX_FILE_BYTES)")
    pieces, total = [], 0
    with path.open("rb") as file:
        while piece := file.read(READ_PIECE):
            total += len(piece)
            if total > max_bytes:  # grew while we read it
                raise UnreadableEntry(f"the file grew past the limit of {max_bytes} bytes while being read")
            pieces.append(piece)
    return b"".join(pieces)


class DirectorySource:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    @property
    def key(self) -> str:
        return self.root.as_uri() + "/"

    @property
    def label(self) -> str:
        return str(self.root)

    @property
    def metadata(self) -> dict[str, str]:
        return {"source": self.root.name}

    def _inside(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved == self.root or self.root in resolved.parents

    def _entry(self, path: Path) -> SourceEntry | None:
        relative = path.relative_to(self.root).as_posix()
        if path.is_symlink() and not self._inside(path):
            return SourceEntry(relative, path.as_uri(), problem="a symlink that leads outside the source directory")
        if path.is_dir() or content_type_for(path.name) is None:
            return None  # symlinked directories inside the root are reached by their real path
        try:
            stat = path.stat()
        except OSError as error:
            return SourceEntry(relative, path.as_uri(), problem=f"cannot read the file: {error.strerror}")
        # ctime as well as mtime: a copy that preserves mtime (cp -p, rsync -t) still changes ctime.
        fingerprint = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"
        return SourceEntry(relative, path.as_uri(), fingerprint=fingerprint)

    def _list(self) -> list[SourceEntry]:
        entries = []
        for folder, directories, files in os.walk(self.root, followlinks=False):
            base = Path(folder)
            directories[:] = sorted(d for d in directories if not d.startswith("."))
            names = [*files, *(d for d in directories if (base / d).is_symlink())]
            for name in sorted(names):
                if not name.startswith(".") and (entry := self._entry(base / name)) is not None:
                    entries.append(entry)
        return sorted(entries, key=lambda e: e.document_id)

    async def entries(self) -> list[SourceEntry]:
        return await asyncio.to_thread(self._list)

    async def fetch(self, entry: SourceEntry, previous_fingerprint: str) -> Fetched:
        path = self.root / entry.document_id
        content = await asyncio.to_thread(read_capped, path, self.max_bytes)
        return Fetched(content, content_type_for(path.name), entry.fingerprint)
