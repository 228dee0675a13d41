#!/usr/bin/env python3
"""Validate the blind evaluation set (standard library only).

Checks: every line of questions.jsonl parses; required fields and allowed
values; ids unique; every referenced document exists and starts with a
'# Title' line; answerable questions have aliases and unanswerable ones none;
the first alias of every answerable question occurs literally in (one of) its
document(s) (case-insensitive, whitespace-normalised); every other alias occurs
after a light surface normalisation (see norm()).  Prints counts.
"""

import json
import os
import re
import sys
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
QFILE = os.path.join(HERE, "questions.jsonl")
LANGS = {"en", "zh-Hant", "zh-Hans"}
KINDS = {"factoid", "paraphrase", "multi-hop", "long", "unanswerable", "cross-language"}
SPLITS = {"tune", "heldout"}


def basic(s):
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"\s+", " ", s).strip()


EN_NUM = {
    w: str(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
EN_NUM.update(
    {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
)
ZH_DIG = {
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
ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def zh_to_int(s):
    total, cur = 0, 0
    for ch in s:
        if ch in ZH_DIG:
            cur = ZH_DIG[ch]
        else:
            total += (cur or 1) * ZH_UNIT[ch]
            cur = 0
    return total + cur


def norm(s):
    s = basic(s)
    s = re.sub(r"[\u2010-\u2015\u2212~]", "-", s)
    s = re.sub(r"(?<=\d),(?=\d{3})", "", s)  # 18,412 -> 18412
    s = re.sub(r"\b(" + "|".join(EN_NUM) + r")\b", lambda m: EN_NUM[m.group(1)], s)
    s = re.sub(r"[零〇一二兩两三四五六七八九十百千]+", lambda m: str(zh_to_int(m.group(0))), s)
    s = re.sub(r"\b(" + "|".join(MONTHS) + r") (\d{1,2}), (\d{4})", r"\2 \1 \3", s)
    s = re.sub(r"between (\d[\d.]*) and (\d[\d.]*)", r"\1-\2", s)
    s = re.sub(r"(\d)\s*(?:-|to|至|到)\s*(?=\d)", r"\1-", s)
    s = re.sub(r"(\d)\s*(?:kilometres|kilometers|kilometre|kilometer|km)\b", r"\1 km", s)
    s = re.sub(r"(\d)\s*(?:centimetres|centimeters|centimetre|centimeter|cm)\b", r"\1 cm", s)
    s = re.sub(r"(\d)\s*(?:millimetres|millimeters|millimetre|millimeter|mm)\b", r"\1 mm", s)
    s = re.sub(r"(\d)\s*(?:metres|meters|metre|meter|m)\b", r"\1 m", s)
    s = re.sub(r"(\d)\s*(?:percent|per cent|%)", r"\1%", s)
    return re.sub(r"\s+", " ", s).strip()


def main():
    errors = []
    docs = {}
    for fn in sorted(os.listdir(DOCS)):
        if fn.endswith(".md"):
            with open(os.path.join(DOCS, fn), encoding="utf-8") as handle:
                text = handle.read()
            if not text.startswith("# "):
                errors.append(f"{fn}: first line is not a '# Title' heading")
            docs[fn[:-3]] = text
    qs, ids = [], set()
    with open(QFILE, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {n}: does not parse: {e}")
                continue
            qs.append(d)
            qid = d.get("id")
            for k in ("id", "question", "lang", "document", "answers", "kind", "split"):
                if k not in d:
                    errors.append(f"{qid or f'line {n}'}: missing field {k}")
            if qid in ids:
                errors.append(f"{qid}: duplicate id")
            ids.add(qid)
            if d.get("lang") not in LANGS:
                errors.append(f"{qid}: bad lang {d.get('lang')}")
            if d.get("kind") not in KINDS:
                errors.append(f"{qid}: bad kind {d.get('kind')}")
            if d.get("split") not in SPLITS:
                errors.append(f"{qid}: bad split {d.get('split')}")
            refs = list(d.get("documents") or [])
            if d.get("document") is not None and d["document"] not in refs:
                refs.insert(0, d["document"])
            for r in refs:
                if r not in docs:
                    errors.append(f"{qid}: document {r} does not exist")
            answers = d.get("answers", [])
            if d.get("kind") == "unanswerable":
                if answers:
                    errors.append(f"{qid}: unanswerable question has answers")
                continue
            if not answers:
                errors.append(f"{qid}: answerable question without answers")
                continue
            if d.get("document") is None:
                errors.append(f"{qid}: answerable question without document")
            if d.get("kind") == "multi-hop" and len(d.get("documents") or []) < 2:
                errors.append(f"{qid}: multi-hop question needs 'documents' with two ids")
            texts = [docs[r] for r in refs if r in docs]
            if not any(basic(answers[0]) in basic(t) for t in texts):
                errors.append(f"{qid}: first alias {answers[0]!r} not literally in {refs}")
            for a in answers:
                if not any(basic(a) in basic(t) or norm(a) in norm(t) for t in texts):
                    errors.append(f"{qid}: alias {a!r} not found in {refs}")
    for e in errors:
        print("ERROR", e)
    print(f"documents: {len(docs)}", dict(Counter(k.split("-")[0] for k in docs)))
    for k, t in sorted(docs.items()):
        size = len(t.split()) if k.startswith("en-") else len(re.sub(r"\s", "", t))
        unit = "words" if k.startswith("en-") else "chars"
        lo, hi = (350, 900) if k.startswith("en-") else (600, 1500)
        if not lo <= size <= hi:
            print(f"WARNING {k}: {size} {unit} (outside {lo}-{hi})")
    print(f"questions: {len(qs)}")
    for field in ("lang", "kind", "split"):
        print(f"  by {field}:", dict(sorted(Counter(d.get(field) for d in qs).items())))
    print("  kind x split:", dict(sorted(Counter((d.get("kind"), d.get("split")) for d in qs).items())))
    print("  lang x split:", dict(sorted(Counter((d.get("lang"), d.get("split")) for d in qs).items())))
    print("  with distractor:", sum(1 for d in qs if d.get("distractor")))
    print(
        "  unused documents:",
        sorted(set(docs) - {r for d in qs for r in ([d.get("document")] + (d.get("documents") or [])) if r}),
    )
    if errors:
        print(f"FAILED: {len(errors)} error(s)")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
