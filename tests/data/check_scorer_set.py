#!/usr/bin/env python3
"""Validate tests/data/scorer_labelled.jsonl (stdlib only).

Checks JSON validity, unique ids, required keys and types, allowed values and
kind/label/lang consistency, then prints counts per label, kind, lang and split.
Exit status 1 if any problem is found.

Usage: python3 tests/data/check_scorer_set.py [path/to/file.jsonl]
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).with_name("scorer_labelled.jsonl")
REQUIRED = {
    "id": str,
    "question": str,
    "contexts": list,
    "answer": str,
    "label": str,
    "kind": str,
    "lang": str,
    "split": str,
}
LABELS = {"grounded", "hallucinated"}
GROUNDED_KINDS = {"exact", "paraphrase", "cross-language", "partial-quote", "abstain-like"}
HALLUCINATED_KINDS = {"swapped-number", "wrong-name", "invented-fact", "negation", "half-right", "cross-language-wrong"}
KINDS = GROUNDED_KINDS | HALLUCINATED_KINDS
LANGS = {"en", "zh-Hant", "zh-Hans", "cross"}
SPLITS = {"tune", "heldout"}
ID_RE = re.compile(r"^s\d{3,}$")
MIN_ITEMS = 110


def check(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    errors, items, seen = [], [], set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = f"line {lineno}"
            if not line.strip():
                errors.append(f"{where}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"{where}: not a JSON object")
                continue
            missing = set(REQUIRED) - set(obj)
            extra = set(obj) - set(REQUIRED)
            if missing:
                errors.append(f"{where}: missing keys {sorted(missing)}")
            if extra:
                errors.append(f"{where}: unexpected keys {sorted(extra)}")
            for key, typ in REQUIRED.items():
                if key in obj and not isinstance(obj[key], typ):
                    errors.append(f"{where}: {key} must be {typ.__name__}")
            if missing or any(not isinstance(obj.get(k), t) for k, t in REQUIRED.items()):
                continue
            iid = obj["id"]
            where = f"line {lineno} ({iid})"
            if not ID_RE.match(iid):
                errors.append(f"{where}: id must look like s001")
            if iid in seen:
                errors.append(f"{where}: duplicate id")
            seen.add(iid)
            for key in ("question", "answer"):
                if not obj[key].strip():
                    errors.append(f"{where}: empty {key}")
            ctx = obj["contexts"]
            if not 1 <= len(ctx) <= 3:
                errors.append(f"{where}: contexts must hold 1-3 passages, has {len(ctx)}")
            if any(not isinstance(c, str) or not c.strip() for c in ctx):
                errors.append(f"{where}: every context must be a non-empty string")
            if obj["label"] not in LABELS:
                errors.append(f"{where}: bad label {obj['label']!r}")
            if obj["kind"] not in KINDS:
                errors.append(f"{where}: bad kind {obj['kind']!r}")
            if obj["lang"] not in LANGS:
                errors.append(f"{where}: bad lang {obj['lang']!r}")
            if obj["split"] not in SPLITS:
                errors.append(f"{where}: bad split {obj['split']!r}")
            kind, label = obj["kind"], obj["label"]
            # abstain-like may be either label (a false or padded abstention is a hallucination)
            if kind in GROUNDED_KINDS - {"abstain-like"} and label != "grounded":
                errors.append(f"{where}: kind {kind} must be grounded")
            if kind in HALLUCINATED_KINDS and label != "hallucinated":
                errors.append(f"{where}: kind {kind} must be hallucinated")
            if kind in {"cross-language", "cross-language-wrong"} and obj["lang"] != "cross":
                errors.append(f"{where}: kind {kind} needs lang 'cross'")
            items.append(obj)
    if len(items) < MIN_ITEMS:
        errors.append(f"only {len(items)} valid items, need >= {MIN_ITEMS}")
    return items, errors


def show(title: str, counter: Counter[str], total: int) -> None:
    print(f"\n{title}:")
    for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {key:<22} {n:>4}  ({100.0 * n / total:4.1f}%)")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    items, errors = check(path)
    total = len(items) or 1
    print(f"{path}: {len(items)} valid items")
    show("label", Counter(i["label"] for i in items), total)
    show("kind", Counter(i["kind"] for i in items), total)
    show("lang", Counter(i["lang"] for i in items), total)
    show("split", Counter(i["split"] for i in items), total)
    show("split x label", Counter(f"{i['split']}/{i['label']}" for i in items), total)
    print("\nkind x split (tune/heldout):")
    for kind in sorted({i["kind"] for i in items}):
        c = Counter(i["split"] for i in items if i["kind"] == kind)
        print(f"  {kind:<22} {c['tune']:>3} / {c['heldout']:<3}")
    print("\nlang x split (tune/heldout):")
    for lang in sorted({i["lang"] for i in items}):
        c = Counter(i["split"] for i in items if i["lang"] == lang)
        print(f"  {lang:<22} {c['tune']:>3} / {c['heldout']:<3}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
