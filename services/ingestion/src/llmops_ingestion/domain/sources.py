"""A directory source: which files become which documents."""

from __future__ import annotations

from pathlib import Path

from llmops_core.errors import InvalidArgument, NotFound
from llmops_ingestion.domain.documents import SourceDocument
from llmops_ingestion.domain.extraction import content_type_for


def resolve_directory(directory: str, roots: list[str]) -> Path:
    """The directory, which must lie inside one of the configured roots (no reading of /etc)."""
    if not directory:
        raise InvalidArgument("directory is required")
    path = Path(directory).resolve()
    if not any(path == Path(r).resolve() or Path(r).resolve() in path.parents for r in roots):
        allowed = ", ".join(roots) or "none configured (LLMOPS_INGESTION_SOURCE_ROOTS)"
        raise InvalidArgument(f"{directory} is outside the allowed source roots: {allowed}")
    if not path.is_dir():
        raise NotFound(f"no directory {directory}")
    return path


def read_directory(path: Path) -> list[SourceDocument]:
    """Every supported file below ``path``; the document id is its path relative to ``path``."""
    documents = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        content_type = content_type_for(file.name)
        if content_type is None:
            continue
        relative = file.relative_to(path).as_posix()
        documents.append(
            SourceDocument(
                document_id=relative,
                content=file.read_bytes(),
                content_type=content_type,
                source_uri=file.as_uri(),
                metadata={"source": path.name},
            )
        )
    return documents
