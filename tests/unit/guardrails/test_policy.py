"""Policies from configuration: inheritance from default, validation, which policy a request gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_guardrails.adapters.policy_file import load_policies
from llmops_guardrails.domain.pii import allow_key, find_pii
from llmops_guardrails.domain.policy import Action, PolicyError, parse_policies, select_policy
from llmops_guardrails.domain.verdicts import screen_document


def test_packaged_policies_load() -> None:
    policies = load_policies()
    assert {"default", "acme"} <= set(policies)
    assert not policies["default"].enabled("scope")  # no purpose, no scope check
    acme = policies["acme"]
    assert acme.enabled("scope") and "outdoor-gear retailer" in acme.purpose
    assert allow_key("phone", "+1 800 555 0199") in acme.allowed_contacts
    assert acme.actions["injection"] is Action.BLOCK


def test_tenant_policy_inherits_and_overrides() -> None:
    policies = parse_policies(
        {
            "policies": {
                "default": {"actions": {"pii_output": "flag"}, "injection_threshold": 0.7},
                "beta": {"checks": ["injection", "pii_input"], "actions": {"injection": "flag"}},
            }
        }
    )
    beta = policies["beta"]
    assert beta.actions["injection"] is Action.FLAG
    assert beta.actions["pii_output"] is Action.FLAG
    assert beta.injection_threshold == 0.7
    assert not beta.enabled("pii_output")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"policies": {"acme": {}}}, "no 'default' policy"),
        ({"policies": {"default": {"checks": ["spelling"]}}}, "unknown checks"),
        ({"policies": {"default": {"actions": {"injection": "shout"}}}}, "use block, redact or flag"),
        ({"policies": {"default": {"injection_threshold": 3}}}, "from 0 to 1"),
    ],
)
def test_invalid_policies_are_refused_with_a_sentence(raw: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policies(raw)


def test_policy_selection() -> None:
    policies = load_policies()
    assert select_policy(policies, "acme").name == "acme"
    assert select_policy(policies, "other").name == "default"
    assert select_policy(policies, "acme", "default").name == "default"
    with pytest.raises(PolicyError, match="no guardrail policy 'strict'"):
        select_policy(policies, "acme", "strict")


def test_unreadable_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policies(tmp_path / "missing.yaml")


def test_acme_keeps_the_contacts_its_own_corpus_publishes() -> None:
    """The allow-list is what the tenant publishes: every contact page of corpus/acme keeps its
    support lines and address when screened, and nothing else is let through by it."""
    acme = load_policies()["acme"]
    corpus = Path(__file__).parents[3] / "corpus" / "acme"
    pages = {
        "en/contact.md": "utf-8",
        "zh-hans/contact.md": "utf-8",
        "zh-hant/contact.txt": "big5",
    }
    published: set[str] = set()
    for page, encoding in pages.items():
        text = (corpus / page).read_text(encoding=encoding)
        [verdict] = screen_document([text], acme)
        assert verdict.redacted_text == text, page  # nothing on a contact page is redacted
        published |= {allow_key(m.kind, m.value) for m in find_pii(text)}
    assert published == set(acme.allowed_contacts)
    # A customer's own number is still personal data, on the same page.
    [verdict] = screen_document(["Call me back on 1-800-555-0123 please."], acme)
    assert "[PHONE]" in verdict.redacted_text
