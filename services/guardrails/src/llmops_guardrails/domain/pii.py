"""Detects and redacts personal data: e-mail, phones, payment cards, IBANs, Taiwan and mainland-China
national ids, IP addresses, API keys and secrets.

Identifiers with a check digit are only reported when the check holds (Luhn, IBAN mod 97, Taiwan
id, ISO 7064 for mainland ids), so order numbers and references of the same length pass. Look-
arounds use ASCII classes, never ``\\b``: ``\\b`` does not fire between a digit and a Chinese
character, which hid "手机13812345678". Dates, times, versions and numbers introduced as an order,
invoice or tracking number are not personal data.

Placeholders name what was removed (``[EMAIL]``) so answers stay readable and analysts can count
redactions without seeing the data.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from llmops_guardrails.domain.checksums import (
    china_id_valid,
    iban_valid,
    luhn_valid,
    plausible_date,
    taiwan_id_valid,
)

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "credit_card": "[CARD]",
    "iban": "[IBAN]",
    "tw_national_id": "[NATIONAL_ID]",
    "cn_national_id": "[NATIONAL_ID]",
    "ip_address": "[IP_ADDRESS]",
    "api_key": "[API_KEY]",
}

EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A run of digits with the separators phone numbers are written with; kinds are told apart below.
# A colon right after the digits ends a time ("10:30") only when a digit follows it; "call me on
# +1 415 555 0134: how ..." is a number followed by punctuation.
DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9+.\-/])(?:\+|00)?\(?\d[\d\s().\-/]{5,20}\d(?![A-Za-z0-9]|:\d|[.\-/]\d)")
CARD = re.compile(r"(?<![A-Za-z0-9])\d(?:[ -]?\d){12,18}(?![A-Za-z0-9])")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![a-z0-9])")
TAIWAN_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z][1289]\d{8}(?![A-Za-z0-9])")
CHINA_ID = re.compile(r"(?<![A-Za-z0-9])\d{17}[\dXx](?![A-Za-z0-9])")
IPV4 = re.compile(
    r"(?<![A-Za-z0-9_.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![A-Za-z0-9_.]|\.\d)"
)
IPV6 = re.compile(r"(?<![A-Za-z0-9_:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![A-Za-z0-9_:])")
# Credentials with a recognisable issuer prefix.
KEY_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}|glpat-[A-Za-z0-9_\-]{20,}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$))"
)
# A value assigned to a name that says it is a secret; the value alone is redacted.
KEY_ASSIGNED = re.compile(
    r"(?i)(?:api[_\- ]?key|secret(?:[_\- ]?key)?|access[_\- ]?(?:key|token)|auth[_\- ]?token|token|password|passwd"
    r"|client[_\- ]?secret|private[_\- ]?key|密钥|密鑰|令牌|密码|密碼)[\"']?\s*(?:[:=：]|is|是)\s*[\"']?"
    r"(?P<value>[A-Za-z0-9_\-+/=.~!@#$%^&*]{12,})"
)
# Words that introduce an order, invoice or tracking number (not personal data) or a version.
NOT_PERSONAL_CONTEXT = re.compile(
    r"(?i)(?:order|invoice|tracking|shipment|parcel|ticket|case|ref(?:erence)?|rma|sku|model|serial|item|version"
    r"|confirmation|receipt|transaction|no\.|number|#|订单|訂單|单号|單號|编号|編號|运单|運單|发票|發票|型号|型號|序列号|序號|版本"
    r"|追踪|追蹤|物流|快递|快遞)"
    r"[\s:：#.\-]*(?:(?:number|no\.?|id|code|号码|號碼|号|號|码|碼|是)[\s:：#.\-]*)?$"
)
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # a key of PLACEHOLDERS
    start: int
    end: int
    value: str

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.kind]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# "Callback number:", "my mobile no." introduce a phone number, whatever the word "number" says.
PHONE_CONTEXT = re.compile(
    r"(?i)(?:phone|mobile|cell|callback|call[\s-]?back|contact|telephone|tel|fax|whatsapp|landline|电话|電話|手机|手機)"
    r"[\s:：#.\-]*(?:(?:number|no\.?|号码|號碼)[\s:：#.\-]*)?$"
)


def _introduced_as_reference(text: str, start: int) -> bool:
    before = text[max(0, start - 24) : start]
    return NOT_PERSONAL_CONTEXT.search(before) is not None and PHONE_CONTEXT.search(before) is None


def phone_shape(candidate: str) -> bool:
    """Numbers that are written or shaped like phone numbers, internationally and locally.

    International (+ or 00) with 8-15 digits; mainland-China mobiles (1[3-9] and 11 digits, also
    with 86 in front); Taiwan mobiles and landlines (0 and 9-10 digits); North American 10-digit
    numbers with valid area and exchange codes; any other number of 9-15 digits written with
    separators or brackets. Dates never count.
    """
    stripped = candidate.strip()
    if any(plausible_date(_digits(d.group())) for d in DATE.finditer(stripped)):
        return False
    digits = _digits(stripped)
    if stripped.startswith(("+", "00")):
        return 8 <= len(digits) <= 15
    if re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits):
        return True
    if re.fullmatch(r"0\d{8,10}", digits):
        return True
    if len(digits) == 10 and re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", digits):
        return True
    formatted = re.search(r"[\s().\-]", stripped) is not None
    return formatted and 9 <= len(digits) <= 15


def _card_shape(digits: str) -> bool:
    """Issuer ranges of the major networks, so a Luhn-valid order number (one in ten is) passes."""
    return (
        13 <= len(digits) <= 19 and re.match(r"4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|2)|35", digits) is not None
    )


def _iban_match(match: re.Match[str]) -> tuple[int, str] | None:
    """The longest prefix of the match (dropping trailing groups a following word added) that passes."""
    text = match.group()
    while len(text.replace(" ", "")) >= 15:
        if iban_valid(text.replace(" ", "")):
            return match.start() + len(text), text
        text = text[:-1].rstrip()
    return None


def _entropy(value: str) -> float:
    counts = {ch: value.count(ch) for ch in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _candidates(text: str) -> Iterable[PiiMatch]:
    for m in EMAIL.finditer(text):
        yield PiiMatch("email", m.start(), m.end(), m.group())
    for m in KEY_PREFIXED.finditer(text):
        yield PiiMatch("api_key", m.start(), m.end(), m.group())
    for m in KEY_ASSIGNED.finditer(text):
        value = m.group("value")
        # Secrets mix letters and digits and look random; "password is changeme123" is not a key.
        if _entropy(value) >= 3.0 and re.search(r"\d", value) and re.search(r"[A-Za-z]", value):
            yield PiiMatch("api_key", m.start("value"), m.end("value"), value)
    iban_shaped: list[tuple[int, int]] = []
    for m in IBAN.finditer(text):
        iban_shaped.append((m.start(), m.end()))
        found = _iban_match(m)
        if found is not None:
            yield PiiMatch("iban", m.start(), found[0], found[1])
    for m in TAIWAN_ID.finditer(text):
        if taiwan_id_valid(m.group()):
            yield PiiMatch("tw_national_id", m.start(), m.end(), m.group())
    for m in CHINA_ID.finditer(text):
        if china_id_valid(m.group()):
            yield PiiMatch("cn_national_id", m.start(), m.end(), m.group())
    for m in CARD.finditer(text):
        digits = _digits(m.group())
        if _card_shape(digits) and luhn_valid(digits):
            yield PiiMatch("credit_card", m.start(), m.end(), m.group())
    for m in IPV4.finditer(text):
        if not _introduced_as_reference(text, m.start()):
            yield PiiMatch("ip_address", m.start(), m.end(), m.group())
    for m in IPV6.finditer(text):
        if m.group().count(":") >= 2 and _valid_ipv6(m.group()):
            yield PiiMatch("ip_address", m.start(), m.end(), m.group())
    for m in DIGIT_RUN.finditer(text):
        candidate = m.group().rstrip(" ()-./")
        # The digits of an IBAN-shaped string (valid or not) are not a phone number.
        inside_iban = any(s <= m.start() < e for s, e in iban_shaped)
        if phone_shape(candidate) and not inside_iban and not _introduced_as_reference(text, m.start()):
            yield PiiMatch("phone", m.start(), m.start() + len(candidate), candidate)


def _valid_ipv6(candidate: str) -> bool:
    # Times ("10:30:00") and ratios are colon runs too; a real address has hex groups or "::".
    if not ("::" in candidate or candidate.count(":") == 7):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def allow_key(kind: str, value: str) -> str:
    """How a value is compared with a tenant's published contacts: e-mail case-blind, phones by
    their last nine digits (so +1 (503) 555-0100 and 503-555-0100 are the same number)."""
    if kind == "email":
        return "email:" + value.strip().lower()
    if kind == "phone":
        return "phone:" + _digits(value)[-9:]
    return f"{kind}:{value.strip()}"


def find_pii(text: str, allowed: frozenset[str] = frozenset()) -> list[PiiMatch]:
    """Non-overlapping matches, earliest first; at one position the longest (most specific) wins.

    ``allowed`` holds ``allow_key`` values of contact details the tenant publishes on purpose
    (a support hotline or address): those are kept as they are.
    """
    found = sorted(_candidates(text), key=lambda f: (f.start, -(f.end - f.start)))
    chosen: list[PiiMatch] = []
    for match in found:
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return [m for m in chosen if allow_key(m.kind, m.value) not in allowed]


def redact(text: str, matches: list[PiiMatch]) -> str:
    pieces, cursor = [], 0
    for match in sorted(matches, key=lambda m: m.start):
        pieces += [text[cursor : match.start], match.placeholder]
        cursor = match.end
    return "".join([*pieces, text[cursor:]])
