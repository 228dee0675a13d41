#!/usr/bin/env python3
"""Validate corpus/field/questions.yaml against corpus/field/clean and manifest.yaml.

Usage: python corpus/field/check.py        (stdlib + PyYAML)
Exit status 0 when clean, 1 when any error was found.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
EXPECTS = {"answered", "abstained", "refused"}
LANGS = {"en", "zh-Hant", "zh-Hans"}
KINDS = {"answerable", "cross-language", "unanswerable-close", "out-of-scope", "attack"}
SPLITS = {"train", "heldout"}
KIND_EXPECT = {
    "answerable": {"answered"},
    "cross-language": {"answered"},
    "unanswerable-close": {"abstained"},
    "out-of-scope": {"refused", "abstained"},
    "attack": {"refused"},
}

ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_RUN = re.compile("[零〇一二兩两三四五六七八九十百千萬万]+")


def zh_to_int(run: str) -> int | None:
    """Convert a simple Chinese numeral (up to 萬) to an int; None when it is not one."""
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in ZH_DIGITS:
            if digit is not None:  # two digits in a row: read digit by digit (e.g. 二〇二五)
                return None
            digit = ZH_DIGITS[ch]
        elif ch in ZH_UNITS:
            section += (1 if digit is None else digit) * ZH_UNITS[ch]
            digit = None
        elif ch in "萬万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit = 0, None
    section += digit or 0
    return total + section


def zh_numerals_to_digits(text: str) -> str:
    def repl(m: re.Match) -> str:
        value = zh_to_int(m.group(0))
        return m.group(0) if value is None else str(value)

    return ZH_RUN.sub(repl, text)


def plain_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix in {".html", ".htm"}:
        raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?s)<[^>]+>", " ", raw)
        raw = html.unescape(raw)
    if path.suffix == ".md":
        raw = re.sub(r"[*_`]+", "", raw)  # emphasis / code markers
        raw = re.sub(r"^#+\s*", "", raw, flags=re.M)
    return raw


def normalise(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,280 -> 1280
    text = re.sub(r"\s+", " ", text)
    return text.lower()


def contains(text: str, fact: str) -> bool:
    """Substring match; a fact starting/ending with a digit must not touch other digits ('20' is not in '2025')."""
    pattern = re.escape(fact)
    if fact[:1].isdigit():
        pattern = r"(?<![\d.])" + pattern
    if fact[-1:].isdigit():
        pattern += r"(?!\d|\.\d)"
    return re.search(pattern, text) is not None


def main() -> int:
    errors: list[str] = []
    warnings: list[str] = []
    data = yaml.safe_load((ROOT / "questions.yaml").read_text(encoding="utf-8"))
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))
    if data.get("tenant") != "field":
        errors.append("questions.yaml: tenant must be 'field'")

    # manifest
    listed = set()
    for f in manifest["files"]:
        p = ROOT / f["path"]
        listed.add(f["path"])
        if not p.is_file():
            errors.append(f"manifest: missing file {f['path']}")
        for key in ("languages", "kind", "mangle"):
            if key not in f:
                errors.append(f"manifest: {f['path']} lacks {key}")
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "clean").rglob("*") if p.is_file()}
    for extra in sorted(on_disk - listed):
        errors.append(f"manifest: file not listed: {extra}")
    mangled = sum(1 for f in manifest["files"] if f.get("mangle"))

    texts: dict[str, tuple[str, str]] = {}
    ids = Counter()
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_doc = Counter()
    for q in data["questions"]:
        qid = q.get("id", "?")
        ids[qid] += 1
        for key in ("id", "question", "expect", "lang", "kind", "split"):
            if key not in q:
                errors.append(f"{qid}: missing {key}")
        if q.get("expect") not in EXPECTS:
            errors.append(f"{qid}: bad expect {q.get('expect')}")
        if q.get("lang") not in LANGS:
            errors.append(f"{qid}: bad lang {q.get('lang')}")
        if q.get("kind") not in KINDS:
            errors.append(f"{qid}: bad kind {q.get('kind')}")
        elif q.get("expect") not in KIND_EXPECT[q["kind"]]:
            errors.append(f"{qid}: expect {q.get('expect')} does not fit kind {q['kind']}")
        if q.get("split") not in SPLITS:
            errors.append(f"{qid}: bad split {q.get('split')}")
        groups[(q.get("kind"), q.get("lang"))][q.get("split")] += 1

        if q.get("expect") == "answered":
            # Documents are named as the platform ingests them (relative to docs/); the truth is in clean/.
            doc = f"clean/{q['document']}" if q.get("document") else None
            facts = q.get("facts") or []
            if not doc or not (ROOT / doc).is_file():
                errors.append(f"{qid}: document missing: {doc}")
                continue
            if doc not in listed:
                errors.append(f"{qid}: document not in manifest: {doc}")
            if not 1 <= len(facts) <= 3:
                errors.append(f"{qid}: needs 1-3 facts, has {len(facts)}")
            per_doc[doc] += 1
            if doc not in texts:
                t = plain_text(ROOT / doc)
                texts[doc] = (normalise(t), normalise(zh_numerals_to_digits(t)))
            plain, digits = texts[doc]
            for fact in facts:
                nf = normalise(str(fact))
                if contains(plain, nf):
                    continue
                if contains(digits, nf):
                    warnings.append(f"{qid}: fact {fact!r} found only after Chinese-numeral conversion")
                    continue
                errors.append(f"{qid}: fact {fact!r} not found in {doc}")
        else:
            if q.get("document") or q.get("facts"):
                errors.append(f"{qid}: only answered questions take document/facts")

    for qid, n in ids.items():
        if n > 1:
            errors.append(f"duplicate id {qid} ({n}x)")

    for (kind, lang), c in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        total = sum(c.values())
        if total >= 2 and (c["train"] == 0 or c["heldout"] == 0):
            errors.append(f"group ({kind}, {lang}) with {total} items lacks a train or heldout item")

    # report
    qs = data["questions"]
    print(f"files in manifest: {len(manifest['files'])} (mangle: true on {mangled})")
    print(f"questions: {len(qs)}")
    for name, key in (("kind", "kind"), ("lang", "lang"), ("expect", "expect"), ("split", "split")):
        c = Counter(q.get(key) for q in qs)
        print(f"  by {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items(), key=str)))
    print("  (kind, lang): train / heldout")
    for (kind, lang), c in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        print(f"    {kind:20s} {lang:8s} {c['train']:3d} / {c['heldout']:3d}")
    heldout = sum(1 for q in qs if q.get("split") == "heldout")
    print(f"  heldout share: {heldout / len(qs):.1%}")
    print("  answered questions per document:")
    for f in manifest["files"]:
        print(f"    {per_doc[f['path']]:2d}  {f['path']}")
    for w in warnings:
        print("note:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
