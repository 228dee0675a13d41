"""The field corpus: clean documents and copies damaged the way real files are (lossy mojibake).

The damage: UTF-8 read as Windows-1252, which drops the bytes it leaves undefined (0x81 0x8D 0x8F 0x90
0x9D), and the soft hyphen 0xAD dropped as invisible; saved again as UTF-8. The same damage by other code
pages (Windows-1254 drops 0x8E and 0x9E too) is made in memory by the mojibake bench. Real files are damaged in
parts (a paragraph pasted from a broken source), so whole paragraphs or long spans of them are damaged.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from llmops_ingestion.domain.codepages import WINDOWS_1252, Codepage
from llmops_stack.config import REPO_ROOT

FIELD = Path("corpus/field")
MANGLED_SHARE = 0.5

app = typer.Typer(help="Test corpora.", no_args_is_help=True)


def mangle_span(text: str, page: Codepage = WINDOWS_1252) -> str:
    """What the broken round trip leaves of a text: the code page's reading of its UTF-8, lost bytes dropped."""
    return text.encode("utf-8").translate(None, bytes(page.lost_bytes)).decode(page.codec)


def mangle_lossy(text: str, rng: random.Random, share: float, page: Codepage = WINDOWS_1252) -> str:
    """Damage about `share` of the paragraphs: most whole, some from a sentence inside to the end."""
    pieces = re.split(r"(\n\s*\n)", text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 or not piece.strip() or rng.random() >= share:
            out.append(piece)
            continue
        # A third of the damaged paragraphs are damaged from a sentence or line start on, not whole.
        starts = [0] + [m.end() for m in re.finditer(r"[.!?。！？\n]\s*", piece) if m.end() < len(piece)]
        start = rng.choice(starts) if rng.random() < 1 / 3 else 0
        out.append(piece[:start] + mangle_span(piece[start:], page))
    return "".join(out)


def _seed(relative: str) -> int:
    # A stable seed per file (not hash(), which is salted per process) so the corpus is reproducible.
    return int.from_bytes(hashlib.sha256(relative.encode("utf-8")).digest()[:8], "big")


def manifest_entries(field: Path) -> list[dict[str, Any]]:
    """The manifest's file entries (`path` relative to corpus/field, under clean/; `mangle`)."""
    manifest = yaml.safe_load((field / "manifest.yaml").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = manifest["files"]
    return entries


def damaged_path(field: Path, relative: Path) -> Path:
    """Where the copy of a clean/ file goes: docs/ with the same path below clean/."""
    return field / "docs" / relative.relative_to("clean")


def damaged_copy(text: str, relative: Path, page: Codepage = WINDOWS_1252) -> str:
    """The field file's damaged copy: the same paragraphs for every code page (the seed is the path's)."""
    return mangle_lossy(text, random.Random(_seed(str(relative))), MANGLED_SHARE, page)


def build_field_corpus(root: Path) -> list[Path]:
    """Write corpus/field/docs from the manifest: damaged copies where `mangle: true`, exact copies else."""
    field = root / FIELD
    written = []
    for entry in manifest_entries(field):
        relative = Path(entry["path"])
        source, target = field / relative, damaged_path(field, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.get("mangle", False):
            text = source.read_text(encoding="utf-8")
            target.write_text(damaged_copy(text, relative), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written


@app.command("field")
def field(
    root: Annotated[Path, typer.Option(help="Repository root holding corpus/field.")] = REPO_ROOT,
) -> None:
    """Build corpus/field/docs: lossy-mojibake copies of the manifest's documents marked `mangle: true`."""
    written = build_field_corpus(root)
    typer.echo(f"wrote {len(written)} documents under {root / FIELD / 'docs'}")
