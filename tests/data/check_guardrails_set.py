#!/usr/bin/env python3
"""Validate tests/data/guardrails_labelled.jsonl (stdlib only).

Checks JSON validity, required keys and types, allowed values, unique ids,
kind/check/expected consistency, that every `pii` value occurs verbatim in its
text, that checksum-bearing values are valid for `pii` items (Luhn for cards,
mod-97 for IBANs, Taiwan and mainland China national-id check digits) and
invalid for the `lookalike` values of `not_pii` items, that base64/hex/rot13
payloads of obfuscated injections decode to text, the coverage targets and
the train/heldout proportions. Then prints counts per kind, lang and split.
Exit status 1 if any problem is found.

Usage: python3 tests/data/check_guardrails_set.py [path/to/file.jsonl]
"""

import base64
import binascii
import codecs
import ipaddress
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).with_name("guardrails_labelled.jsonl")
REQUIRED = {"id": str, "text": str, "lang": str, "check": str, "kind": str, "expected": str, "split": str}
OPTIONAL = {"pii": list, "lookalike": list, "allowlisted": bool, "tags": list, "note": str}
LANGS = {"en", "zh-Hant", "zh-Hans", "mixed"}
SPLITS = {"train", "heldout"}
KIND_RULES = {  # kind -> (check, expected)
    "injection": ("input", "block"),
    "out_of_scope": ("input", "block"),
    "benign": ("input", "allow"),
    "pii": ("output", "redact"),
    "not_pii": ("output", "allow"),
}
PII_TYPES = {"email", "phone", "credit_card", "iban", "tw_national_id", "cn_national_id", "ip_address", "api_key"}
CHECKSUM_TYPES = {"credit_card", "iban", "tw_national_id", "cn_national_id"}
ID_RE = re.compile(r"^[a-z]+-[a-z]+-\d{3}$")
MIN_TOTAL = 220
MIN_PER_KIND = {"injection": 60, "out_of_scope": 30, "benign": 60, "pii": 45, "not_pii": 25}
HELDOUT_RANGE = (0.35, 0.45)  # overall
HELDOUT_RANGE_KIND = (0.30, 0.50)  # per kind


# ------------------------------------------------------------------ checksums
def luhn_valid(value: str) -> bool:
    digits = re.sub(r"[ -]", "", value)
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


IBAN_LEN = {"GB": 22, "DE": 22, "NL": 18, "FR": 27, "ES": 24, "CH": 21, "IT": 27, "BE": 16}


def iban_valid(value: str) -> bool:
    s = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    if s[:2] in IBAN_LEN and len(s) != IBAN_LEN[s[:2]]:
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# A=10 ... Z=33 with I=34, O=35 (the order letters were assigned to regions)
TW_CODES = {c: v for v, c in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}


def tw_id_valid(value: str) -> bool:
    if not re.fullmatch(r"[A-Z][12]\d{8}", value):
        return False
    code = TW_CODES[value[0]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    digits = [code // 10, code % 10] + [int(c) for c in value[1:]]
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 10 == 0


CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def cn_id_shape(value: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", value))


def cn_id_valid(value: str) -> bool:
    if not cn_id_shape(value):
        return False
    # ISO 7064 MOD 11-2
    s = sum(int(c) * w for c, w in zip(value[:17], CN_WEIGHTS, strict=False))
    return "10X98765432"[s % 11] == value[17]


VALIDATORS = {
    "credit_card": luhn_valid,
    "iban": iban_valid,
    "tw_national_id": tw_id_valid,
    "cn_national_id": cn_id_valid,
}
# a look-alike must have the right *shape* so that it is a real test of the checksum
SHAPES = {
    "credit_card": lambda v: re.sub(r"[ -]", "", v).isdigit() and 13 <= len(re.sub(r"[ -]", "", v)) <= 19,
    "iban": lambda v: bool(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", v.replace(" ", ""))),
    "tw_national_id": lambda v: bool(re.fullmatch(r"[A-Z][12]\d{8}", v)),
    "cn_national_id": cn_id_shape,
}


def shape_ok(ptype: str, value: str) -> bool:
    if ptype in SHAPES:
        return SHAPES[ptype](value)
    if ptype == "email":
        return bool(re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", value))
    if ptype == "ip_address":
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            return False
    if ptype == "phone":
        return 7 <= len(re.sub(r"\D", "", value)) <= 15 and bool(re.fullmatch(r"[+\d() .-]+", value))
    if ptype == "api_key":
        return len(value) >= 20 and " " not in value
    return False


# ------------------------------------------------------------------ payloads
def payload_errors(item: dict[str, Any]) -> list[str]:
    """Obfuscated injections tagged base64/hex/rot13 must hold a decodable payload."""
    tags, text, errs = set(item.get("tags", [])), item["text"], []
    if "base64" in tags:
        runs = re.findall(r"[A-Za-z0-9+/]{24,}={0,2}", text)
        ok = False
        for r in runs:
            try:
                base64.b64decode(r, validate=True).decode("utf-8")
                ok = True
            except (binascii.Error, UnicodeDecodeError):
                pass
        if not ok:
            errs.append("tagged base64 but no decodable base64 run")
    if "hex" in tags:
        runs = re.findall(r"(?:[0-9a-fA-F]{2}){12,}", text)
        if not any(_hex_ok(r) for r in runs):
            errs.append("tagged hex but no decodable hex run")
    if "rot13" in tags:
        decoded = codecs.decode(text, "rot13").lower()
        if not re.search(r"ignore|reveal|instruction|disregard", decoded):
            errs.append("tagged rot13 but decoding reveals no instruction words")
    return errs


def _hex_ok(r: str) -> bool:
    try:
        bytes.fromhex(r).decode("utf-8")
        return True
    except (ValueError, UnicodeDecodeError):
        return False


# ------------------------------------------------------------------ checks
def check(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    errors: list[str] = []
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
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
            where = f"line {lineno} ({obj.get('id')})"
            missing = set(REQUIRED) - set(obj)
            extra = set(obj) - set(REQUIRED) - set(OPTIONAL)
            if missing:
                errors.append(f"{where}: missing keys {sorted(missing)}")
                continue
            if extra:
                errors.append(f"{where}: unexpected keys {sorted(extra)}")
            for key, typ in {**REQUIRED, **OPTIONAL}.items():
                if key in obj and not isinstance(obj[key], typ):
                    errors.append(f"{where}: {key} must be {typ.__name__}")
            if not isinstance(obj["text"], str) or not obj["text"].strip():
                errors.append(f"{where}: empty text")
                continue
            if not ID_RE.match(obj["id"]):
                errors.append(f"{where}: bad id format")
            if obj["id"] in seen:
                errors.append(f"{where}: duplicate id")
            seen.add(obj["id"])
            if obj["lang"] not in LANGS:
                errors.append(f"{where}: bad lang {obj['lang']!r}")
            if obj["split"] not in SPLITS:
                errors.append(f"{where}: bad split {obj['split']!r}")
            kind = obj["kind"]
            if kind not in KIND_RULES:
                errors.append(f"{where}: bad kind {kind!r}")
                continue
            want_check, want_expected = KIND_RULES[kind]
            if obj["check"] != want_check:
                errors.append(f"{where}: kind {kind} needs check={want_check}")
            if obj["expected"] != want_expected:
                errors.append(f"{where}: kind {kind} needs expected={want_expected}")

            if kind == "pii":
                ents = obj.get("pii")
                if not ents:
                    errors.append(f"{where}: pii item without pii list")
                    ents = []
            else:
                ents = []
                if "pii" in obj:
                    errors.append(f"{where}: only pii items may carry a pii list")
            for e in ents:
                if not isinstance(e, dict) or set(e) != {"type", "value"}:
                    errors.append(f"{where}: pii entry must be {{type, value}}: {e!r}")
                    continue
                t, v = e["type"], e["value"]
                if t not in PII_TYPES:
                    errors.append(f"{where}: unknown pii type {t!r}")
                    continue
                if v not in obj["text"]:
                    errors.append(f"{where}: pii value {v!r} not in text")
                if not shape_ok(t, v):
                    errors.append(f"{where}: {t} value {v!r} has the wrong shape")
                if t in VALIDATORS and not VALIDATORS[t](v):
                    errors.append(f"{where}: {t} value {v!r} fails its checksum")

            looks = obj.get("lookalike", [])
            if looks and kind != "not_pii":
                errors.append(f"{where}: only not_pii items may carry lookalike")
            for e in looks:
                if not isinstance(e, dict) or set(e) != {"type", "value"}:
                    errors.append(f"{where}: lookalike entry must be {{type, value}}: {e!r}")
                    continue
                t, v = e["type"], e["value"]
                if t not in CHECKSUM_TYPES:
                    errors.append(f"{where}: lookalike type must be checksum-bearing, got {t!r}")
                    continue
                if v not in obj["text"]:
                    errors.append(f"{where}: lookalike value {v!r} not in text")
                if not SHAPES[t](v):
                    errors.append(f"{where}: lookalike {v!r} does not even look like a {t}")
                if VALIDATORS[t](v):
                    errors.append(f"{where}: lookalike {t} {v!r} PASSES its checksum (should fail)")
            if "allowlisted" in obj and kind != "not_pii":
                errors.append(f"{where}: allowlisted only makes sense on not_pii")
            for msg in payload_errors(obj) if kind == "injection" else []:
                errors.append(f"{where}: {msg}")
            items.append(obj)

    # dataset-level checks
    texts = Counter(i["text"] for i in items)
    for t, n in texts.items():
        if n > 1:
            errors.append(f"duplicate text ({n}x): {t[:60]!r}")
    kinds = Counter(i["kind"] for i in items)
    if len(items) < MIN_TOTAL:
        errors.append(f"only {len(items)} items, need >= {MIN_TOTAL}")
    for k, n in MIN_PER_KIND.items():
        if kinds[k] < n:
            errors.append(f"kind {k}: {kinds[k]} items, need >= {n}")

    def n_where(pred: Callable[[dict[str, Any]], bool]) -> int:
        return sum(1 for i in items if pred(i))

    zh = {"zh-Hant", "zh-Hans"}
    targets = [
        ("zh injection", lambda i: i["kind"] == "injection" and i["lang"] in zh, 20),
        ("zh-Hant injection", lambda i: i["kind"] == "injection" and i["lang"] == "zh-Hant", 5),
        ("zh-Hans injection", lambda i: i["kind"] == "injection" and i["lang"] == "zh-Hans", 5),
        ("obfuscated injection", lambda i: i["kind"] == "injection" and "obfuscated" in i.get("tags", []), 15),
        ("indirect injection", lambda i: i["kind"] == "injection" and "indirect" in i.get("tags", []), 5),
        ("en out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] == "en", 10),
        ("zh out_of_scope", lambda i: i["kind"] == "out_of_scope" and i["lang"] in zh, 10),
        ("zh benign", lambda i: i["kind"] == "benign" and i["lang"] in zh, 20),
        ("look-alike benign", lambda i: i["kind"] == "benign" and "lookalike" in i.get("tags", []), 20),
        ("allowlisted not_pii", lambda i: i.get("allowlisted") is True, 3),
        ("checksum look-alike not_pii", lambda i: bool(i.get("lookalike")), 6),
    ]
    for name, pred, need in targets:
        if n_where(pred) < need:
            errors.append(f"coverage: {name} = {n_where(pred)}, need >= {need}")
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    for t in sorted(PII_TYPES):
        if pii_types[t] < 2:
            errors.append(f"coverage: pii type {t} appears {pii_types[t]}x, need >= 2")
    look_types = {e["type"] for i in items for e in i.get("lookalike", [])}
    for t in sorted(CHECKSUM_TYPES - look_types):
        errors.append(f"coverage: no not_pii look-alike for {t}")

    # split proportions
    if items:
        held = n_where(lambda i: i["split"] == "heldout") / len(items)
        if not HELDOUT_RANGE[0] <= held <= HELDOUT_RANGE[1]:
            errors.append(f"heldout share {held:.2f} outside {HELDOUT_RANGE}")
        for k in kinds:
            hk = sum(1 for i in items if i["kind"] == k and i["split"] == "heldout") / kinds[k]
            if not HELDOUT_RANGE_KIND[0] <= hk <= HELDOUT_RANGE_KIND[1]:
                errors.append(f"kind {k}: heldout share {hk:.2f} outside {HELDOUT_RANGE_KIND}")
    return items, errors


def table(items: list[dict[str, Any]]) -> None:
    langs = ["en", "zh-Hant", "zh-Hans", "mixed"]
    kinds = list(KIND_RULES)
    c = Counter((i["kind"], i["lang"], i["split"]) for i in items)
    print("\ncounts: train/heldout per kind x lang")
    print(f"  {'kind':<13}" + "".join(f"{lang:>10}" for lang in langs) + f"{'total':>11}")
    for k in [*kinds, "ALL"]:
        row = f"  {k:<13}"
        tt = th = 0
        for lang in langs:
            ks = kinds if k == "ALL" else [k]
            t = sum(c[(x, lang, "train")] for x in ks)
            h = sum(c[(x, lang, "heldout")] for x in ks)
            tt, th = tt + t, th + h
            row += f"{f'{t}/{h}':>10}"
        row += f"{f'{tt}/{th}':>11}"
        print(row)
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    print("\npii values per type: " + ", ".join(f"{t} {n}" for t, n in sorted(pii_types.items())))
    tags = Counter(t for i in items for t in i.get("tags", []))
    print(
        "selected tags: "
        + ", ".join(
            f"{t} {tags[t]}"
            for t in [
                "obfuscated",
                "indirect",
                "lookalike",
                "about-security",
                "failed-checksum",
                "published-contact",
            ]
        )
    )


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
