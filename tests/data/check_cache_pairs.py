#!/usr/bin/env python3
"""Validate tests/data/cache_pairs.jsonl (stdlib only): the labelled question pairs the semantic
answer cache's threshold is measured on (docs/decisions/0026-semantic-cache.md).

Each line: {"id": "c001", "a": "...", "b": "...", "label": "hit|miss", "kind": "...", "lang": "en|zh",
"split": "train|heldout"}. "hit": a paraphrase that must get the cached answer; "miss": a look-alike
that must not (a different number, weekday, date, place, product, order number, negation, relation
or topic). Checks JSON, unique ids, keys and values, no duplicate pair, at least 120 pairs, both
labels in both languages in both splits; prints counts. Exit status 1 on any problem.

Usage: python3 tests/data/check_cache_pairs.py [path/to/file.jsonl]
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

DEFAULT = Path(__file__).with_name("cache_pairs.jsonl")
KEYS = {"id", "a", "b", "label", "kind", "lang", "split"}
MISS_KINDS = {"relation", "weekday", "product", "order", "negation", "quantity", "number", "topic", "place", "date"}
MIN_PAIRS = 120


def check(path: Path) -> list[str]:
    errors: list[str] = []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(f"line {n}: {error}")
            continue
        if set(row) != KEYS:
            errors.append(f"line {n}: keys {sorted(row)} != {sorted(KEYS)}")
            continue
        if not re.fullmatch(r"c\d{3,}", row["id"]):
            errors.append(f"line {n}: bad id {row['id']!r}")
        if row["label"] not in {"hit", "miss"} or row["lang"] not in {"en", "zh"}:
            errors.append(f"line {n}: label {row['label']!r} / lang {row['lang']!r}")
        if row["split"] not in {"train", "heldout"}:
            errors.append(f"line {n}: split {row['split']!r}")
        kinds = {"paraphrase"} if row["label"] == "hit" else MISS_KINDS
        if row["kind"] not in kinds:
            errors.append(f"line {n}: kind {row['kind']!r} for label {row['label']!r}")
        if not row["a"].strip() or not row["b"].strip() or row["a"] == row["b"]:
            errors.append(f"line {n}: the two questions must be non-empty and differ")
        rows.append(row)
    ids = Counter(r["id"] for r in rows)
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    pairs = Counter(frozenset((r["a"], r["b"])) for r in rows)
    errors += [f"duplicate pair {sorted(p)}" for p, c in pairs.items() if c > 1]
    if len(rows) < MIN_PAIRS:
        errors.append(f"{len(rows)} pairs; need at least {MIN_PAIRS}")
    for label in ("hit", "miss"):
        for lang in ("en", "zh"):
            for split in ("train", "heldout"):
                if not any((r["label"], r["lang"], r["split"]) == (label, lang, split) for r in rows):
                    errors.append(f"no {label} pair in {lang} on {split}")
    print(f"{len(rows)} pairs")
    for key in ("label", "lang", "split", "kind"):
        print(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r[key] for r in rows).items())))
    return errors


def main() -> int:
    errors = check(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
