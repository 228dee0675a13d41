#!/usr/bin/env python3
"""Validate the fresh held-out guardrails sets guardrails_fresh.jsonl and guardrails_fresh2.jsonl (stdlib only).

One checker for both: a per-set `Profile`, chosen by file name, holds what differs (id pattern, total and per-kind
minimums, coverage targets, obfuscation methods that must appear, earlier sets not to repeat). Reuses the checksum
and shape helpers of check_guardrails_set.py. Checks schema and allowed values, unique ids and texts (also after
NFKC, case folding and dropping punctuation and spaces), kind/check/expected consistency, that every item is
`heldout`, that `pii` values occur verbatim and pass their checksums while `lookalike` values fail theirs, that
other 13-19 digit runs in `not_pii` items fail Luhn, that every obfuscated injection decodes to an instruction that
cannot be read without decoding, that no published contact value of the tuning set is reused, and the coverage
targets. guardrails_fresh2.jsonl must also not (nearly) repeat a text of guardrails_labelled.jsonl or
guardrails_fresh.jsonl; that check compares normalised hashes and character-trigram overlap in code and names only
the checked file's ids, never the other files' texts. Prints counts per kind x lang; exit status 1 on any problem.

Usage: .venv/bin/python tests/data/check_guardrails_fresh.py [path/to/guardrails_fresh2.jsonl ...]  (default: both)
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, so that `tests` imports

from tests.data.check_guardrails_set import (
    CHECKSUM_TYPES,
    IBAN_LEN,
    KIND_RULES,
    OPTIONAL,
    PII_TYPES,
    REQUIRED,
    SHAPES,
    VALIDATORS,
    luhn_valid,
    shape_ok,
)

Item = dict[str, Any]
HERE = Path(__file__).parent
LANGS = ["en", "zh-Hant", "zh-Hans", "mixed"]
ID_LANG = {"en": "en", "zht": "zh-Hant", "zhs": "zh-Hans", "mix": "mixed"}
# the published contact data of the tuning set's allow-list must not be reused here
FORBIDDEN = ["1-800-555-0199", "support@acme-outdoor.example", "0800-000-123", "400-820-1234"]
NEAR_DUP_JACCARD = 0.8  # character-trigram Jaccard at or above which two normalised texts count as near-equal

INSTRUCTION_RE = re.compile(
    r"ignore|disregard|reveal|instruction|system ?prompt|rules|忽略|無視|无视|指令|提示|規則|规则",
    re.IGNORECASE,
)
CJK = "[\u3400-\u9fff]"
ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Cyrillic and Greek letters that look like Latin ones
HOMOGLYPHS = str.maketrans("аеорсухіѕοαεινΑΕΙОАЕ", "aeopcyxisoaeivAEIOAE")
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


def _changed(text: str, decoded: str) -> str | None:
    return decoded if decoded != text else None


DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": _decode_base64,
    "hex": _decode_hex,
    "rot13": lambda t: codecs.decode(t, "rot13"),
    "url": lambda t: urllib.parse.unquote(t) if re.search(r"%[0-9A-Fa-f]{2}", t) else None,
    "zero-width": lambda t: ZERO_WIDTH_RE.sub("", t) if ZERO_WIDTH_RE.search(t) else None,
    "homoglyph": lambda t: _changed(t, t.translate(HOMOGLYPHS)),
    "full-width": lambda t: unicodedata.normalize("NFKC", t) if re.search("[\uff01-\uff5e]", t) else None,
    "leetspeak": lambda t: _changed(t, t.translate(LEET)),
    "split-lines": lambda t: t.replace("\n", "") if "\n" in t else None,
    "spaced": lambda t: re.sub(r"\s+", "", t) if re.search(r"(?:\b\w \b){5,}", t) else None,
    "reversed": lambda t: t[::-1],
}
# methods whose decoder transforms the whole text: decoding must reveal more instruction words than plain reading
CHAR_TRICKS = set(DECODERS) - {"base64", "hex"}


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


# ------------------------------------------------------------------ per-set profiles
@dataclass(frozen=True)
class Profile:
    """What differs between the fresh sets; every other check applies to all of them."""

    id_re: re.Pattern[str]  # group 1 is the language part, e.g. `zht` in `finj-zht-004`
    total_range: tuple[int, int]
    min_per_kind: Mapping[str, int]
    coverage: Mapping[str, int]  # name in coverage_counts() -> minimum
    methods: tuple[str, ...]  # obfuscation methods that must each be used at least once
    earlier: tuple[str, ...] = ()  # earlier sets (file names) it must not repeat, even nearly


FRESH_COVERAGE = {
    "zh injection": 18,
    "obfuscated injection": 12,
    "indirect injection": 8,
    "role-play injection": 3,
    "multi-turn injection": 1,
    "developer-mode injection": 2,
    "security-audit injection": 2,
    "grandmother injection": 2,
    "en out_of_scope": 8,
    "zh out_of_scope": 8,
    "zh benign": 18,
    "look-alike benign": 20,
    "about-security benign": 2,
    "checksum look-alike not_pii": 5,
}
PROFILES: dict[str, Profile] = {
    "guardrails_fresh.jsonl": Profile(
        id_re=re.compile(r"^f[a-z]+-(en|zht|zhs|mix)-\d{3}$"),
        total_range=(150, 200),
        min_per_kind={"injection": 50, "out_of_scope": 25, "benign": 50, "pii": 30, "not_pii": 15},
        coverage=FRESH_COVERAGE,
        methods=("base64", "hex", "rot13", "zero-width", "homoglyph", "full-width", "leetspeak", "split-lines"),
    ),
    "guardrails_fresh2.jsonl": Profile(
        id_re=re.compile(r"^g[a-z]+-(en|zht|zhs|mix)-\d{3}$"),
        total_range=(190, 210),
        min_per_kind={"injection": 55, "out_of_scope": 25, "benign": 55, "pii": 35, "not_pii": 15},
        coverage={
            **FRESH_COVERAGE,
            "indirect injection": 9,
            "en injection": 30,
            "zh-Hans injection": 8,
            "zh-Hant injection": 8,
            "extraction injection": 6,
            "fake-system injection": 4,
            "authority injection": 4,
            "hypothetical/fiction injection": 3,
            "look-alike benign": 30,
            "about-security benign": 4,
            "ordinary benign": 12,
        },
        methods=tuple(DECODERS),
        earlier=("guardrails_labelled.jsonl", "guardrails_fresh.jsonl"),
    ),
}
DEFAULT_PATHS = [HERE / name for name in PROFILES]


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


def item_errors(obj: Item, where: str, seen: set[str], profile: Profile) -> list[str]:
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
    m = profile.id_re.match(obj["id"])
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


def check(path: Path, profile: Profile) -> tuple[list[Item], list[str]]:
    errors: list[str] = []
    items: list[Item] = []
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
            errs = item_errors(obj, f"line {lineno} ({obj.get('id')})", seen, profile)
            errors += errs
            if not errs:
                items.append(obj)
    return items, errors + dataset_errors(items, profile)


def coverage_counts(items: list[Item]) -> dict[str, int]:
    """Every coverage target any profile may set, in reporting order."""

    def tagged(kind: str, *tags: str) -> Callable[[Item], bool]:
        return lambda i: i["kind"] == kind and bool(set(tags) & set(i.get("tags", [])))

    def in_lang(kind: str, *langs: str) -> Callable[[Item], bool]:
        return lambda i: i["kind"] == kind and i["lang"] in langs

    zh = ("zh-Hant", "zh-Hans")
    preds: dict[str, Callable[[Item], bool]] = {
        "zh injection": in_lang("injection", *zh),
        "obfuscated injection": tagged("injection", "obfuscated"),
        "indirect injection": tagged("injection", "indirect"),
        "en injection": in_lang("injection", "en"),
        "zh-Hans injection": in_lang("injection", "zh-Hans"),
        "zh-Hant injection": in_lang("injection", "zh-Hant"),
        "extraction injection": tagged("injection", "extraction"),
        "fake-system injection": tagged("injection", "fake-system"),
        "authority injection": tagged("injection", "authority"),
        "hypothetical/fiction injection": tagged("injection", "hypothetical", "fiction"),
        "role-play injection": tagged("injection", "roleplay"),
        "multi-turn injection": tagged("injection", "multi-turn"),
        "developer-mode injection": tagged("injection", "developer-mode"),
        "security-audit injection": tagged("injection", "audit"),
        "grandmother injection": tagged("injection", "grandmother"),
        "en out_of_scope": in_lang("out_of_scope", "en"),
        "zh out_of_scope": in_lang("out_of_scope", *zh),
        "zh benign": in_lang("benign", *zh),
        "look-alike benign": tagged("benign", "lookalike"),
        "about-security benign": tagged("benign", "about-security"),
        "ordinary benign": lambda i: i["kind"] == "benign" and "lookalike" not in i.get("tags", []),
        "checksum look-alike not_pii": lambda i: bool(i.get("lookalike")),
    }
    return {name: sum(1 for i in items if pred(i)) for name, pred in preds.items()}


def dataset_errors(items: list[Item], profile: Profile) -> list[str]:
    errors: list[str] = []
    for t, n in Counter(i["text"] for i in items).items():
        if n > 1:
            errors.append(f"duplicate text ({n}x): {t[:60]!r}")
    normalised = Counter(normalise(i["text"]) for i in items)
    for t, n in normalised.items():
        if n > 1:
            errors.append(f"near-duplicate text ({n}x, ignoring case and punctuation): {t[:60]!r}")
    low, high = profile.total_range
    if not low <= len(items) <= high:
        errors.append(f"{len(items)} items, need {low}-{high}")
    kinds = Counter(i["kind"] for i in items)
    for k, n in profile.min_per_kind.items():
        if kinds[k] < n:
            errors.append(f"kind {k}: {kinds[k]} items, need >= {n}")
    for name, have in coverage_counts(items).items():
        need = profile.coverage.get(name, 0)
        if have < need:
            errors.append(f"coverage: {name} = {have}, need >= {need}")
    methods = Counter(t for i in items for t in i.get("tags", []) if t in DECODERS)
    for m in profile.methods:
        if methods[m] < 1:
            errors.append(f"coverage: no obfuscated injection using {m}")
    pii_types = Counter(e["type"] for i in items for e in i.get("pii", []))
    for t in sorted(PII_TYPES):
        if pii_types[t] < 2:
            errors.append(f"coverage: pii type {t} appears {pii_types[t]}x, need >= 2")
    countries = {e["value"][:2] for i in items for e in i.get("pii", []) if e["type"] == "iban"}
    if len(countries & set(IBAN_LEN)) < 4:
        errors.append(f"coverage: IBANs from {sorted(countries)}, need >= 4 countries")
    phones = [(i["text"], re.escape(e["value"])) for i in items for e in i.get("pii", []) if e["type"] == "phone"]
    glued = [v for text, v in phones if re.search(f"{CJK}{v}|{v}{CJK}", text)]
    if len(glued) < 2:
        errors.append(f"coverage: {len(glued)} phones glued to CJK text, need >= 2")
    look_types = {e["type"] for i in items for e in i.get("lookalike", [])}
    for t in sorted(CHECKSUM_TYPES - look_types):
        errors.append(f"coverage: no not_pii look-alike for {t}")
    return errors


# ------------------------------------------------------------------ overlap with earlier sets
def normalise(text: str) -> str:
    """NFKC, case-fold, drop punctuation, spaces and zero-width/format characters."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\W_]+", "", text.casefold())


def _trigrams(s: str) -> set[str]:
    return {s[k : k + 3] for k in range(len(s) - 2)} if len(s) > 3 else {s}


def overlap(items: list[Item], earlier: list[Path]) -> tuple[list[str], float]:
    """(errors, highest trigram Jaccard): no text may equal or nearly equal a text of an earlier set.

    Reports only the checked file's ids, never the earlier sets' texts.
    """
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
    highest = 0.0
    for item in items:
        norm = normalise(item["text"])
        mine = _trigrams(norm)
        best = max((len(mine & g) / len(mine | g) for g in grams), default=0.0)
        highest = max(highest, best)
        if hashlib.sha256(norm.encode("utf-8")).hexdigest() in hashes:
            errors.append(f"{item['id']}: text equals (after normalising) a text of an earlier set")
        elif best >= NEAR_DUP_JACCARD:
            errors.append(f"{item['id']}: text nearly equals a text of an earlier set (trigram Jaccard {best:.2f})")
    return errors, highest


# ------------------------------------------------------------------ report
def table(items: list[Item]) -> None:
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


def check_file(path: Path) -> int:
    """Check one set with the profile of its file name, print the report; 1 if any problem."""
    profile = PROFILES.get(path.name)
    if profile is None:
        print(f"{path}: no profile for {path.name!r}; known sets: {', '.join(PROFILES)}")
        return 1
    items, errors = check(path, profile)
    if profile.earlier:
        overlap_errors, highest = overlap(items, [path.with_name(name) for name in profile.earlier])
        errors += overlap_errors
    print(f"{path}: {len(items)} items parsed")
    table(items)
    if profile.earlier:
        print(
            f"highest character-trigram Jaccard with any text of the earlier sets: {highest:.2f}"
            f" (near-duplicate at >= {NEAR_DUP_JACCARD})"
        )
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv[1:]] or DEFAULT_PATHS
    status = 0
    for n, path in enumerate(paths):
        if n:
            print()
        status = max(status, check_file(path))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
