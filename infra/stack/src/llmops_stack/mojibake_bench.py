"""How well lossy mojibake is repaired on the field corpus: `python -m llmops_stack.mojibake_bench [ROOT]`.

First the damaged copies on disk (Windows-1252), then the same files damaged in memory by each code page
the repair detects (same seeds, same paragraphs), repaired with the code page *detected*, not given.

Recovery is measured on the characters the damage touched, found by aligning the clean truth with the
damaged copy (difflib, no junk heuristic): clean characters outside the matching blocks are the damaged
ones (ASCII survives the damage and aligns). Aligning the truth with the repaired text then tells which
of them came back exactly, and which undamaged characters the repair broke. Every clean document, the
originals of the damaged copies included, must come out of the repair unchanged.
"""

from __future__ import annotations

import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

from rich.console import Console
from rich.table import Table

from llmops_ingestion.domain.codepages import CODEPAGES, WINDOWS_1252, Codepage
from llmops_ingestion.domain.mojibake import repair_lossy_mojibake
from llmops_ingestion.domain.mojibake_model import chinese_model
from llmops_stack.config import REPO_ROOT
from llmops_stack.field_corpus import FIELD, damaged_copy, damaged_path, manifest_entries


def _matched(truth: str, other: str) -> set[int]:
    """Positions of `truth` that align with a character of `other`."""
    blocks = SequenceMatcher(None, truth, other, autojunk=False).get_matching_blocks()
    return {index for block in blocks for index in range(block.a, block.a + block.size)}


def measure(root: Path = REPO_ROOT, page: Codepage | None = None, quiet: bool = False) -> dict[str, float]:
    """Recovery on the field corpus: its damaged copies on disk, or (``page``) the same damage by that code page."""
    field = root / FIELD
    chinese_model()  # loaded once per process; timed separately from the per-document repair
    table = Table("document", "damaged", "recovered", "broken", "uncertain", "detected", "ms")
    totals = {"damaged": 0, "recovered": 0, "broken": 0, "uncertain": 0, "clean": 0, "untouched": 0}
    expected = page or WINDOWS_1252  # the copies on disk were damaged by Windows-1252
    detected_right = damaged_files = 0
    seconds: list[float] = []
    for entry in manifest_entries(field):
        relative = Path(entry["path"])
        truth = (field / relative).read_text(encoding="utf-8")
        if page is None:
            damaged = damaged_path(field, relative).read_text(encoding="utf-8")
        else:
            damaged = damaged_copy(truth, relative, page) if entry.get("mangle", False) else truth
        started = time.perf_counter()
        repair = repair_lossy_mojibake(damaged)
        seconds.append(time.perf_counter() - started)
        totals["clean"] += 1
        totals["untouched"] += repair_lossy_mojibake(truth).text == truth
        if damaged == truth:
            totals["clean"] += 1
            totals["untouched"] += repair.text == truth
            continue
        damaged_files += 1
        detected_right += repair.codepage == expected.label  # the code page the repair detected and used
        survived, repaired = _matched(truth, damaged), _matched(truth, repair.text)
        touched = len(truth) - len(survived)
        recovered = sum(1 for index in range(len(truth)) if index not in survived and index in repaired)
        broken = len(survived - repaired)
        for key, value in (("damaged", touched), ("recovered", recovered), ("broken", broken)):
            totals[key] += value
        totals["uncertain"] += repair.uncertain
        table.add_row(
            str(relative),
            str(touched),
            str(recovered),
            str(broken),
            str(repair.uncertain),
            repair.codepage,
            f"{seconds[-1] * 1000:.0f}",
        )
    result = {
        "damaged_characters": float(totals["damaged"]),
        "recovered_share": totals["recovered"] / max(totals["damaged"], 1),
        "broken_characters": float(totals["broken"]),
        "uncertain_characters": float(totals["uncertain"]),
        "clean_untouched_share": totals["untouched"] / max(totals["clean"], 1),
        "seconds_max": max(seconds, default=0.0),
        "seconds_total": sum(seconds),
        "detected_right": float(detected_right),
        "damaged_files": float(damaged_files),
    }
    console = Console(quiet=quiet)
    console.print(table)
    console.print(
        f"{expected.label}: code page detected in {detected_right}/{damaged_files} damaged files; "
        f"recovered {result['recovered_share']:.2%} of {totals['damaged']} damaged characters, "
        f"{totals['broken']} broken, {totals['uncertain']} uncertain; "
        f"clean untouched {totals['untouched']}/{totals['clean']}; "
        f"repair {result['seconds_total']:.2f}s in all, {result['seconds_max'] * 1000:.0f}ms at most per document"
    )
    return result


def measure_codepages(root: Path = REPO_ROOT) -> dict[str, dict[str, float]]:
    """The field files damaged by each code page in turn: recovery and detection per code page."""
    results = {page.label: measure(root, page, quiet=True) for page in CODEPAGES}
    table = Table("code page", "files detected", "damaged chars", "recovered", "broken", "clean untouched")
    for label, result in results.items():
        table.add_row(
            label,
            f"{result['detected_right']:.0f}/{result['damaged_files']:.0f}",
            f"{result['damaged_characters']:.0f}",
            f"{result['recovered_share']:.2%}",
            f"{result['broken_characters']:.0f}",
            f"{result['clean_untouched_share']:.0%}",
        )
    Console().print(table)
    return results


if __name__ == "__main__":
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT
    measure(where)
    measure_codepages(where)
