"""PII detectors: check digits, CJK adjacency, what is not personal data, the allow-list."""

from __future__ import annotations

import pytest

from llmops_guardrails.domain.checksums import china_id_valid, iban_valid, luhn_valid, taiwan_id_valid
from llmops_guardrails.domain.pii import allow_key, find_pii, redact


def kinds(text: str) -> list[str]:
    return [m.kind for m in find_pii(text)]


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE88370400440532013000")
    assert iban_valid("GB82WEST12345698765432")
    assert taiwan_id_valid("A123456789") and not taiwan_id_valid("A123456788")
    assert china_id_valid("11010519491231002X") and not china_id_valid("110105194912310021")
    assert not china_id_valid("110105194913310028")  # month 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm jane.doe@example.com", ["email"]),
        ("邮箱zhangsan88@qq.com谢谢", ["email"]),
        ("call me at +1 (415) 555-0134", ["phone"]),
        ("call 5035551234 please", ["phone"]),
        ("手机13812345678", ["phone"]),
        ("电话+86 138 0013 8000找我", ["phone"]),
        ("聯絡電話0912-345-678", ["phone"]),
        ("公司电话(02) 2345-6789", ["phone"]),
        ("ring 020 7946 0018 after six", ["phone"]),
        ("card 4111 1111 1111 1111 expires soon", ["credit_card"]),
        ("卡号4111111111111111", ["credit_card"]),
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", ["iban"]),
        ("身分證A123456789", ["tw_national_id"]),
        ("身份证11010519491231002X", ["cn_national_id"]),
        ("server 192.168.1.20 is down", ["ip_address"]),
        ("地址是fe80::1ff:fe23:4567:890a。", ["ip_address"]),
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc", ["api_key"]),
        ("AKIAIOSFODNN7EXAMPLE", ["api_key"]),
        ('api_key = "a8F3kL9zQ2xV7mN1pR4t"', ["api_key"]),
    ],
)
def test_personal_data_is_found(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05 is my delivery date",
        "Delivered 05/03/2024 at 10:30:00",
        "My order 20251122 arrived damaged in 2025",
        "Order number 13812345678 has not arrived",
        "order ORD-2024-00123, SKU 4412-883",
        "order 4111 1111 1111 1112",  # fails Luhn
        "DE88 3704 0044 0532 0130 00",  # wrong IBAN check digits
        "A123456788",  # wrong Taiwan check digit
        "firmware version 1.2.3.4",
        "We refund within 30 days, up to 1000 USD.",
        "追蹤號碼 9053-2718-4406",
        "now $189.99 until 2024-12-01 23:59 PT",
        "password is changeme",
    ],
)
def test_not_personal_data(text: str) -> None:
    assert kinds(text) == []


def test_redaction_keeps_surrounding_text() -> None:
    text = "a@b.io and 手机13812345678"
    assert redact(text, find_pii(text)) == "[EMAIL] and 手机[PHONE]"


def test_published_contacts_are_kept() -> None:
    allowed = frozenset({allow_key("phone", "1-800-555-0199"), allow_key("email", "Support@Acme-Outdoor.example")})
    text = "Call 1 (800) 555-0199 or write to support@acme-outdoor.example, not jane@example.com"
    assert [m.value for m in find_pii(text, allowed)] == ["jane@example.com"]


def test_a_phone_number_before_a_colon_is_found_but_a_time_is_not() -> None:
    found = find_pii("I'm jane.doe@example.com, call me on +1 415 555 0134: how many days do I have?")
    assert [(m.kind, m.value) for m in found] == [("email", "jane.doe@example.com"), ("phone", "+1 415 555 0134")]
    assert find_pii("Delivered on 2024-03-05 10:30, order 20251122.") == []


def test_a_number_introduced_as_a_phone_is_personal_even_after_the_word_number() -> None:
    assert [m.kind for m in find_pii("Callback number: 206-555-0182: the courier rings first.")] == ["phone"]
    assert [m.kind for m in find_pii("My mobile no. 206-555-0182")] == ["phone"]
    assert find_pii("Order number: 206-555-0182.") == []
