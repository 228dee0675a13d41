#!/usr/bin/env python3
"""Validate tests/data/guardrails_fresh.jsonl, the fresh held-out guardrails set (stdlib only).

Reuses the checksum and shape helpers of check_guardrails_set.py. Checks JSON validity, required
keys and types, allowed values, unique ids and texts, kind/check/expected consistency, that every
item is `heldout`, that every `pii` value occurs verbatim in its text, that checksum-bearing values
are valid for `pii` items and invalid for the `lookalike` values of `not_pii` items, that every
obfuscated injection decodes (base64, hex, ROT13, URL-encoding, zero-width, homoglyph, full-width,
leetspeak, split/spaced) to an instruction, that none of the published contact values of the
tuning set is reused, and the coverage targets. Then prints counts per kind x lang.
Exit status 1 if any problem is found.

Usage: .venv/bin/python tests/data/check_guardrails_fresh.py [path/to/file.jsonl]
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import sys
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, so that `tests` imports

from tests.data.check_guardrails_set import (
    CHECKSUM_TYPES,
    KIND_RULES,
    PII_TYPES,
    SHAPES,
    VALIDATORS,
    shape_ok,
)

DEFAULT = Path(__file__).with_name("guardrails_fresh.jsonl")
REQUIRED: dict[str, type] = {
    "id": str,
    "text": str,
    "lang": str,
    "check": str,
    "kind": str,
    "expected": str,
    "split": str,
}
OPTIONAL: dict[str, type] = {"pii": list, "lookalike": list, "allowlisted": bool, "tags": list, "note": str}
LANGS = ["en", "zh-Hant", "zh-Hans", "mixed"]
ID_RE = re.compile(r"^f[a-z]+-(en|zht|zhs|mix)-\d{3}$")
ID_LANG = {"en": "en", "zht": "zh-Hant", "zhs": "zh-Hans", "mix": "mixed"}
TOTAL_RANGE = (150, 200)
MIN_PER_KIND = {"injection": 50, "out_of_scope": 25, "benign": 50, "pii": 30, "not_pii": 15}
# the published contact data of the tuning set's allow-list must not be reused here
FORBIDDEN = ["1-800-555-0199", "support@acme-outdoor.example", "0800-000-123", "400-820-1234"]

INSTRUCTION_RE = re.compile(
    r"ignore|disregard|reveal|instruction|system ?prompt|rules|忽略|無視|无视|指令|提示|規則|规则",
    re.IGNORECASE,
)
ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Cyrillic and Greek letters that look like Latin ones
HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ѕ": "s",
        "ο": "o",
        "α": "a",
        "ε": "e",
        "ι": "i",
        "ν": "v",
        "Α": "A",
        "Ε": "E",
        "Ι": "I",
        "О": "O",
        "А": "A",
        "Е": "E",
    }
)
CHAR_TRICKS = {"zero-width", "homoglyph", "full-width", "leetspeak", "spaced", "split-lines"}
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})


# ------------------------------------------------------------------ payload decoders
def _decode_base64(text: str) -> str | None:
    for run in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            return base64.b64decode(run, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
    return None


def _decode_hex(text: str) -> str | None:
    for run in re.findall(r"(?:[0-9a-fA-F]{2}){8,}", text):
        try:
            return bytes.fromhex(run).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
    return None


def _decode_rot13(text: str) -> str | None:
    return codecs.decode(text, "rot13")


def _decode_url(text: str) -> str | None:
    return urllib.parse.unquote(text) if re.search(r"%[0-9A-Fa-f]{2}", text) else None


def _decode_zero_width(text: str) -> str | None:
    return ZERO_WIDTH_RE.sub("", text) if ZERO_WIDTH_RE.search(text) else None


def _decode_homoglyph(text: str) -> str | None:
    decoded = text.translate(HOMOGLYPHS)
    return decoded if decoded != text else None


def _decode_full_width(text: str) -> str | None:
    return unicodedata.normalize("NFKC", text) if re.search("[\uff01-\uff5e]", text) else None


def _decode_leetspeak(text: str) -> str | None:
    decoded = text.translate(LEET)
    return decoded if decoded != text else None


def _decode_split_lines(text: str) -> str | None:
    return text.replace("\n", "") if "\n" in text else None


def _decode_spaced(text: str) -> str | None:
    return re.sub(r"\s+", "", text) if re.search(r"(?:\b\w \b){5,}", text) else None


DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": _decode_base64,
    "hex": _decode_hex,
    "rot13": _decode_rot13,
    "url": _decode_url,
    "zero-width": _decode_zero_width,
    "homoglyph": _decode_homoglyph,
    "full-width": _decode_full_width,
    "leetspeak": _decode_leetspeak,
    "split-lines": _decode_split_lines,
    "spaced": _decode_spaced,
}


def payload_errors(item: dict[str, Any]) -> list[str]:
    """Each obfuscated injection names exactly one method; decoding must reveal a hidden instruction."""
    tags = set(item.get("tags", []))
    if "obfuscated" not in tags:
        return []
    methods = sorted(tags & set(DECODERS))
    if len(methods) != 1:
        return [f"obfuscated item needs exactly one method tag of {sorted(DECODERS)}, has {methods}"]
    method = methods[0]
    decoded = DECODERS[method](item["text"])
    if decoded is None:
        return [f"tagged {method} but nothing decodes"]
    if not INSTRUCTION_RE.search(decoded):
        return [f"tagged {method} but the decoded text shows no instruction: {decoded[:60]!r}"]
    # character-level tricks must really hide something: decoding reveals more instruction words than plain reading
    if method in CHAR_TRICKS and len(INSTRUCTION_RE.findall(decoded)) <= len(INSTRUCTION_RE.findall(item["text"])):
        return [f"tagged {method} but the instruction words are readable without decoding"]
    return []


# ------------------------------------------------------------------ item checks
def entity_errors(where: str, text: str, ents: list[Any], *, lookalike: bool) -> list[str]:
    errors: list[str] = []
    label = "lookalike" if lookalike else "pii"
    for e in ents:
        if not isinstance(e, dict) or set(e) != {"type", "value"}:
            errors.append(f"{where}: {label} entry must be {{type, value}}: {e!r}")
            continue
        t, v = e["type"], e["value"]
        allowed = CHECKSUM_TYPES if lookalike else PII_TYPES
        if t not in allowed:
            errors.append(f"{where}: {label} type {t!r} not in {sorted(allowed)}")
            continue
        if v not in text:
            errors.append(f"{where}: {label} value {v!r} not in text")
        if lookalike:
            if not SHAPES[t](v):
                errors.append(f"{where}: lookalike {v!r} does not even look like a {t}")
            if VALIDATORS[t](v):
                errors.append(f"{where}: lookalike {t} {v!r} PASSES its checksum (should fail)")
        else:
            if not shape_ok(t, v):
                errors.append(f"{where}: {t} value {v!r} has the wrong shape")
            if t in VALIDATORS and not VALIDATORS[t](v):
                errors.append(f"{where}: {t} value {v!r} fails its checksum")
    return errors


def item_errors(obj: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    errors: list[str] = []
    missing = set(REQUIRED) - set(obj)
    if missing:
        return [f"{where}: missing keys {sorted(missing)}"]
    extra = set(obj) - set(REQUIRED) - set(OPTIONAL)
    if extra:
        errors.append(f"{where}: unexpected keys {sorted(extra)}")
    for key, typ in {**REQUIRED, **OPTIONAL}.items():
        if key in obj and not isinstance(obj[key], typ):
            errors.append(f"{where}: {key} must be {typ.__name__}")
    if errors:
        return errors
    if not obj["text"].strip():
        errors.append(f"{where}: empty text")
    m = ID_RE.match(obj["id"])
    if not m:
        errors.append(f"{where}: bad id format")
    elif ID_LANG[m.group(1)] != obj["lang"]:
        errors.append(f"{where}: id language part does not match lang {obj['lang']!r}")
    if obj["id"] in seen:
        errors.append(f"{where}: duplicate id")
    seen.add(obj["id"])
    if obj["lang"] not in LANGS:
        errors.append(f"{where}: bad lang {obj['lang']!r}")
    if obj["split"] != "heldout":
        errors.append(f"{where}: split must be 'heldout' (the whole file is held out)")
    if obj.get("allowlisted"):
        errors.append(f"{where}: this set has no allowlisted items")
    for value in FORBIDDEN:
        if value in obj["text"]:
            errors.append(f"{where}: reuses the published contact value {value!r}")
    kind = obj["kind"]
    if kind not in KIND_RULES:
        return [*errors, f"{where}: bad kind {kind!r}"]
    want_check, want_expected = KIND_RULES[kind]
    if obj["check"] != want_check:
        errors.append(f"{where}: kind {kind} needs check={want_check}")
    if obj["expected"] != want_expected:
        errors.append(f"{where}: kind {kind} needs expected={want_expected}")
    if kind == "pii" and not obj.get("pii"):
        errors.append(f"{where}: pii item without pii list")
    if kind != "pii" and "pii" in obj:
        errors.append(f"{where}: only pii items may carry a pii list")
    if kind != "not_pii" and "lookalike" in obj:
        errors.append(f"{where}: only not_pii items may carry lookalike")
    errors += entity_errors(where, obj["text"], obj.get("pii", []), lookalike=False)
    errors += entity_errors(where, obj["text"], obj.get("lookalike", []), lookalike=True)
    if kind == "injection":
        errors += [f"{where}: {msg}" for msg in payload_errors(obj)]
    elif "obfuscated" in obj.get("tags", []):
        errors.append(f"{where}: only injections may be tagged obfuscated")
    return errors


def check(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    errors: list[str] = []
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"line {lineno}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {lineno}: not a JSON object")
                continue
            errs = item_errors(obj, f"line {lineno} ({obj.get('id')})", seen)
            errors += errs
            if not errs:
                items.append(obj)
    return items, errors + dataset_errors(items)


def dataset_errors(items: list[dict[str, Any]]) -> list[str]:
    errors: list[str] = []
    for t, n in Counter(i["text"] for i in items).items():
        if n > 1:
            errors.append(f"duplicate text ({n}x): {t[:60]!r}")
    normalised = Counter(re.sub(r"\W+", "", i["text"].lower()) for i in items)
    for t, n in normalised.items():
        if n > 1:
            errors.append(f"near-duplicate text ({n}x, ignoring case and punctuation): {t[:60]!r}")
    if not TOTAL_RANGE[0] <= len(items) <= TOTAL_RANGE[1]:
        errors.append(f"{len(items)} items, need {TOTAL_RANGE[0]}-{TOTAL_RANGE[1]}")
    kinds = Counter(i["kind"] for i in items)
    for k, n in MIN_PER_KIND.items():
        if kinds[k] < n:
            errors.append(f"kind {k}: {kinds[k]} items, need >= {n}")

    def n_where(pred: Callable[[dict[str, Any]], bool]) -> int:
        return sum(1 for i in items if pred(i))

    def tagged(kind: str, tag: str) -> Callable[[dict[str, Any]], bool]:
        return lambda i: i["kind"] == kind and tag in i.get("tags", [])

    zh = {"zh-Hant", "zh-Hans"}
    targets: list[tuple[str, Callable[[dict[str, Any]], bool], int]] = [
        ("zh injection", lambda i: i["kind"] == "injection" and i["lang"] in zh, 18),
        ("obfuscated injection", tagged("injection", "obfuscated"), 12),
        ("indirect injection", tagged("injection", "indirect"), 8),
        ("role-play injection", tagged("injection", "roleplay"), 3),
        ("multi-turn injection", tagged("injection", "multi-turn"), 1),
        ("developer-mode injection", tagged("injection", "developer-mode"), 2),
        ("security-audit injection", tagged("injection", "audit"), 2),
        ("grandmother injection", tagged("injection", "grandmother"), 2),
        ("en out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] == "en", 8),
        ("zh out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] in zh, 8),
        ("zh benign", lambda i: i["kind"] == "benign" and i["lang"] in zh, 18),
        ("look-alike benign", tagged("benign", "lookalike"), 20),
        ("about-security benign", tagged("benign", "about-security"), 2),
        ("checksum look-alike not_pii", lambda i: bool(i.get("lookalike")), 5),
    ]
    for name, pred, need in targets:
        if n_where(pred) < need:
            errors.append(f"coverage: {name} = {n_where(pred)}, need >= {need}")
    methods = Counter(t for i in items for t in i.get("tags", []) if t in DECODERS)
    for m in ["base64", "hex", "rot13", "zero-width", "homoglyph", "full-width", "leetspeak", "split-lines"]:
        if methods[m] < 1:
            errors.append(f"coverage: no obfuscated injection using {m}")
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    for t in sorted(PII_TYPES):
        if pii_types[t] < 2:
            errors.append(f"coverage: pii type {t} appears {pii_types[t]}x, need >= 2")
    look_types = {e["type"] for i in items for e in i.get("lookalike", [])}
    for t in sorted(CHECKSUM_TYPES - look_types):
        errors.append(f"coverage: no not_pii look-alike for {t}")
    return errors


def table(items: list[dict[str, Any]]) -> None:
    c = Counter((i["kind"], i["lang"]) for i in items)
    kinds = list(KIND_RULES)
    print("\ncounts per kind x lang (all heldout)")
    print(f"  {'kind':<13}" + "".join(f"{lang:>9}" for lang in LANGS) + f"{'total':>8}")
    for k in [*kinds, "ALL"]:
        ks = kinds if k == "ALL" else [k]
        cells = [sum(c[(x, lang)] for x in ks) for lang in LANGS]
        print(f"  {k:<13}" + "".join(f"{n:>9}" for n in cells) + f"{sum(cells):>8}")
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    print("\npii values per type: " + ", ".join(f"{t} {n}" for t, n in sorted(pii_types.items())))
    tags = Counter(t for i in items for t in i.get("tags", []))
    print("tags: " + ", ".join(f"{t} {n}" for t, n in sorted(tags.items())))


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    items, errors = check(path)
    print(f"{path}: {len(items)} items parsed")
    table(items)
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
