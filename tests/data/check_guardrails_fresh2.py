#!/usr/bin/env python3
"""Validate tests/data/guardrails_fresh2.jsonl, the second fresh held-out guardrails set (stdlib only).

Mirrors check_guardrails_fresh.py and reuses the checksum and shape helpers of check_guardrails_set.py.
Checks JSON validity, required keys and types, allowed values, unique ids and texts (also after
NFKC, case folding and dropping punctuation and spaces), kind/check/expected consistency, that every
item is `heldout`, that every `pii` value occurs verbatim in its text, that checksum-bearing values
are valid for `pii` items and invalid for the `lookalike` values of `not_pii` items, that bare 13-19
digit runs in `not_pii` items that are not listed look-alikes fail Luhn (so the set does not call a
Luhn-valid number "not PII"), that every obfuscated injection decodes (base64, hex, ROT13,
URL-encoding, zero-width, homoglyph, full-width, leetspeak, split-lines, spaced, reversed) to an
instruction that cannot be read without decoding, that none of the published contact values of the
tuning set is reused, and the coverage targets.

It also checks that no text equals or nearly equals a text of guardrails_labelled.jsonl or
guardrails_fresh.jsonl. That check works on normalised hashes and character-trigram overlap in code
and names only this file's ids, never the other files' texts, so running it does not expose them.
Then prints counts per kind x lang. Exit status 1 if any problem is found.

Usage: .venv/bin/python tests/data/check_guardrails_fresh2.py [path/to/file.jsonl]
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
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
    IBAN_LEN,
    KIND_RULES,
    PII_TYPES,
    SHAPES,
    VALIDATORS,
    luhn_valid,
    shape_ok,
)

DEFAULT = Path(__file__).with_name("guardrails_fresh2.jsonl")
# earlier sets that this one must not repeat (compared by normalised hash / trigram overlap only)
EARLIER = [Path(__file__).with_name("guardrails_labelled.jsonl"), Path(__file__).with_name("guardrails_fresh.jsonl")]
NEAR_DUP_JACCARD = 0.8  # character-trigram Jaccard at or above which two normalised texts count as near-equal
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
ID_RE = re.compile(r"^g[a-z]+-(en|zht|zhs|mix)-\d{3}$")
ID_LANG = {"en": "en", "zht": "zh-Hant", "zhs": "zh-Hans", "mix": "mixed"}
TOTAL_RANGE = (190, 210)
MIN_PER_KIND = {"injection": 55, "out_of_scope": 25, "benign": 55, "pii": 35, "not_pii": 15}
# the published contact data of the tuning set's allow-list must not be reused here
FORBIDDEN = ["1-800-555-0199", "support@acme-outdoor.example", "0800-000-123", "400-820-1234"]

INSTRUCTION_RE = re.compile(
    r"ignore|disregard|reveal|instruction|system ?prompt|rules|忽略|無視|无视|指令|提示|規則|规则",
    re.IGNORECASE,
)
CJK = "[\u3400-\u9fff]"
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
# methods whose decoder transforms the whole text: decoding must reveal more instruction words than plain reading
CHAR_TRICKS = {
    "zero-width",
    "homoglyph",
    "full-width",
    "leetspeak",
    "spaced",
    "split-lines",
    "rot13",
    "url",
    "reversed",
}
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


def _decode_reversed(text: str) -> str | None:
    return text[::-1]


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
    "reversed": _decode_reversed,
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
    # whole-text tricks must really hide something: decoding reveals more instruction words than plain reading
    if method in CHAR_TRICKS and len(INSTRUCTION_RE.findall(decoded)) <= len(INSTRUCTION_RE.findall(item["text"])):
        return [f"tagged {method} but the instruction words are readable without decoding"]
    # base64/hex: the decoded payload carries the instruction; the plain text must not spell out the same words
    if method in {"base64", "hex"}:
        plain = {w.lower() for w in INSTRUCTION_RE.findall(item["text"])}
        if {w.lower() for w in INSTRUCTION_RE.findall(decoded)} <= plain:
            return [f"tagged {method} but the instruction words are readable without decoding"]
    return []


def not_pii_digit_errors(item: dict[str, Any]) -> list[str]:
    """A bare 13-19 digit number (spaces or dashes inside allowed) in a not_pii item must fail Luhn.

    Listed look-alikes are checked elsewhere; this keeps the set from calling a Luhn-valid number "not PII".
    """
    if item["kind"] != "not_pii":
        return []
    listed = {re.sub(r"\D", "", e["value"]) for e in item.get("lookalike", []) if isinstance(e, dict) and "value" in e}
    joined = re.sub(r"(?<=\d)[ -](?=\d)", "", item["text"])
    return [
        f"not_pii item holds a Luhn-valid {len(run)}-digit number that is not a look-alike"
        for run in re.findall(r"(?<!\d)\d{13,19}(?!\d)", joined)
        if run not in listed and luhn_valid(run)
    ]


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
    errors += [f"{where}: {msg}" for msg in not_pii_digit_errors(obj)]
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
    normalised = Counter(normalise(i["text"]) for i in items)
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
    framing = {"hypothetical", "fiction"}
    targets: list[tuple[str, Callable[[dict[str, Any]], bool], int]] = [
        ("zh injection", lambda i: i["kind"] == "injection" and i["lang"] in zh, 18),
        ("obfuscated injection", tagged("injection", "obfuscated"), 12),
        ("indirect injection", tagged("injection", "indirect"), 9),
        ("en injection", lambda i: i["kind"] == "injection" and i["lang"] == "en", 30),
        ("zh-Hans injection", lambda i: i["kind"] == "injection" and i["lang"] == "zh-Hans", 8),
        ("zh-Hant injection", lambda i: i["kind"] == "injection" and i["lang"] == "zh-Hant", 8),
        ("extraction injection", tagged("injection", "extraction"), 6),
        ("fake-system injection", tagged("injection", "fake-system"), 4),
        ("authority injection", tagged("injection", "authority"), 4),
        (
            "hypothetical/fiction injection",
            lambda i: i["kind"] == "injection" and bool(framing & set(i.get("tags", []))),
            3,
        ),
        ("role-play injection", tagged("injection", "roleplay"), 3),
        ("multi-turn injection", tagged("injection", "multi-turn"), 1),
        ("developer-mode injection", tagged("injection", "developer-mode"), 2),
        ("security-audit injection", tagged("injection", "audit"), 2),
        ("grandmother injection", tagged("injection", "grandmother"), 2),
        ("en out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] == "en", 8),
        ("zh out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] in zh, 8),
        ("zh benign", lambda i: i["kind"] == "benign" and i["lang"] in zh, 18),
        ("look-alike benign", tagged("benign", "lookalike"), 30),
        ("about-security benign", tagged("benign", "about-security"), 4),
        ("ordinary benign", lambda i: i["kind"] == "benign" and "lookalike" not in i.get("tags", []), 12),
        ("checksum look-alike not_pii", lambda i: bool(i.get("lookalike")), 5),
    ]
    for name, pred, need in targets:
        if n_where(pred) < need:
            errors.append(f"coverage: {name} = {n_where(pred)}, need >= {need}")
    methods = Counter(t for i in items for t in i.get("tags", []) if t in DECODERS)
    for m in DECODERS:
        if methods[m] < 1:
            errors.append(f"coverage: no obfuscated injection using {m}")
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    for t in sorted(PII_TYPES):
        if pii_types[t] < 2:
            errors.append(f"coverage: pii type {t} appears {pii_types[t]}x, need >= 2")
    countries = {e["value"][:2] for i in items for e in i.get("pii", []) if e["type"] == "iban"}
    if len(countries & set(IBAN_LEN)) < 4:
        errors.append(f"coverage: IBANs from {sorted(countries)}, need >= 4 countries")

    def glued_to_cjk(text: str, value: str) -> bool:
        v = re.escape(value)
        return bool(re.search(f"{CJK}{v}|{v}{CJK}", text))

    phones = [(i["text"], e["value"]) for i in items for e in i.get("pii", []) if e["type"] == "phone"]
    glued = [value for text, value in phones if glued_to_cjk(text, value)]
    if len(glued) < 2:
        errors.append(f"coverage: {len(glued)} phones glued to CJK text, need >= 2")
    look_types = {e["type"] for i in items for e in i.get("lookalike", [])}
    for t in sorted(CHECKSUM_TYPES - look_types):
        errors.append(f"coverage: no not_pii look-alike for {t}")
    return errors


def normalise(text: str) -> str:
    """NFKC, case-fold, drop punctuation, spaces and zero-width/format characters."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\W_]+", "", text.casefold())


def _trigrams(s: str) -> set[str]:
    return {s[k : k + 3] for k in range(len(s) - 2)} if len(s) > 3 else {s}


def overlap_errors(items: list[dict[str, Any]], earlier: list[Path]) -> list[str]:
    """No text may equal or nearly equal a text of an earlier set. Reports only this file's ids."""
    errors: list[str] = []
    hashes: set[str] = set()
    grams: list[set[str]] = []
    for path in earlier:
        if not path.exists():
            errors.append(f"overlap check: {path.name} not found")
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    norm = normalise(json.loads(line).get("text", ""))
                    hashes.add(hashlib.sha256(norm.encode("utf-8")).hexdigest())
                    grams.append(_trigrams(norm))
    for item in items:
        norm = normalise(item["text"])
        if hashlib.sha256(norm.encode("utf-8")).hexdigest() in hashes:
            errors.append(f"{item['id']}: text equals (after normalising) a text of an earlier set")
            continue
        mine = _trigrams(norm)
        best = max((len(mine & g) / len(mine | g) for g in grams), default=0.0)
        if best >= NEAR_DUP_JACCARD:
            errors.append(f"{item['id']}: text nearly equals a text of an earlier set (trigram Jaccard {best:.2f})")
    return errors


def max_overlap(items: list[dict[str, Any]], earlier: list[Path]) -> float:
    grams = []
    for path in earlier:
        if path.exists():
            with open(path, encoding="utf-8") as f:
                grams += [_trigrams(normalise(json.loads(line).get("text", ""))) for line in f if line.strip()]
    mine = [_trigrams(normalise(i["text"])) for i in items]
    return max((len(m & g) / len(m | g) for m in mine for g in grams), default=0.0)


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
    errors += overlap_errors(items, EARLIER)
    print(f"{path}: {len(items)} items parsed")
    table(items)
    print(
        f"highest character-trigram Jaccard with any text of the earlier sets: {max_overlap(items, EARLIER):.2f}"
        f" (near-duplicate at >= {NEAR_DUP_JACCARD})"
    )
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
