"""Service tokens, tenant binding and scope rules (API keys against PostgreSQL: tests/integration/test_auth.py)."""

from __future__ import annotations

import asyncio

import pytest

from llmops_core.auth.interceptors import CallerCheck
from llmops_core.auth.principal import (
    ANY_TENANT,
    Principal,
    acting_for,
    reset_principal,
    set_principal,
    tenant_in_context,
)
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.errors import FailedPrecondition, InvalidArgument, PermissionDenied, Unauthenticated
from llmops_core.validation import require_tenant

SECRET = "s" * 40


def test_service_tokens_verify_and_refuse_tampering_expiry_and_other_secrets() -> None:
    tokens = ServiceTokens(SECRET, lifetime_seconds=60)
    token = tokens.mint("query", "acme", now=1000)
    principal = tokens.verify(token, now=1030)
    assert (principal.subject, principal.tenant_id, principal.is_service) == ("service:query", "acme", True)
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.verify(token, now=1061)
    prefix, _payload, signature = token.split(".")
    forged = tokens.mint("query", "globex", now=1000).split(".")[1]
    with pytest.raises(Unauthenticated, match="signature"):
        tokens.verify(f"{prefix}.{forged}.{signature}", now=1030)
    with pytest.raises(Unauthenticated, match="signature"):
        ServiceTokens("t" * 40).verify(token, now=1030)
    with pytest.raises(Unauthenticated, match="malformed"):
        tokens.verify("svc1.only-two", now=1030)
    with pytest.raises(FailedPrecondition, match="LLMOPS_AUTH_SERVICE_SECRET"):
        ServiceTokens("")


def with_principal(principal: Principal | None, tenant_id: str) -> str:
    token = set_principal(principal)
    try:
        return require_tenant(tenant_id)
    finally:
        reset_principal(token)


def test_the_tenant_comes_from_the_key() -> None:
    key = Principal("key:abc", "acme", frozenset({"ask"}))
    assert with_principal(key, "acme") == "acme"
    assert with_principal(key, "") == "acme"  # empty: the key's own tenant
    with pytest.raises(PermissionDenied, match="acts for tenant 'acme', not 'globex'"):
        with_principal(key, "globex")
    with pytest.raises(PermissionDenied):
        with_principal(key, "acme\n")
    service = Principal("service:evaluation", ANY_TENANT, frozenset({"service"}))
    assert with_principal(service, "globex") == "globex"
    with pytest.raises(InvalidArgument, match="required"):
        with_principal(service, "")
    bound = Principal("service:query", "acme", frozenset({"service"}))
    with pytest.raises(PermissionDenied):
        with_principal(bound, "globex")


def test_outgoing_calls_act_for_the_callers_tenant() -> None:
    assert tenant_in_context() == ANY_TENANT
    with acting_for("acme"):
        assert tenant_in_context() == "acme"
    token = set_principal(Principal("key:abc", "globex", frozenset({"ask"})))
    try:
        assert tenant_in_context() == "globex"
    finally:
        reset_principal(token)


class OneKey:
    """A key store holding one key (the PostgreSQL one is tested in integration)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def verify(self, key: str) -> Principal:
        if key != "llmops_good":
            raise Unauthenticated("the API key is not valid (unknown, wrong or revoked)")
        return self.principal


def test_scopes_and_internal_methods() -> None:
    tokens = ServiceTokens(SECRET)
    scopes = {"/llmops.query.v1.QueryService/Ask": "ask", "/llmops.query.v1.QueryService/SubmitFeedback": "feedback"}
    check = CallerCheck(tokens, OneKey(Principal("key:1", "acme", frozenset({"ask"}))), scopes)

    def principal(method: str, header: str | None) -> Principal:
        metadata = {"authorization": header} if header is not None else {}
        return asyncio.run(check.principal(method, metadata))

    assert principal("/llmops.query.v1.QueryService/Ask", "Bearer llmops_good").tenant_id == "acme"
    with pytest.raises(Unauthenticated, match="needs an API key"):
        principal("/llmops.query.v1.QueryService/Ask", None)
    with pytest.raises(Unauthenticated, match="not valid"):
        principal("/llmops.query.v1.QueryService/Ask", "Bearer llmops_bad")
    with pytest.raises(PermissionDenied, match="'feedback' scope"):
        principal("/llmops.query.v1.QueryService/SubmitFeedback", "Bearer llmops_good")
    with pytest.raises(PermissionDenied, match="internal"):
        principal("/llmops.guardrails.v1.GuardrailsService/CheckInput", "Bearer llmops_good")
    service = principal("/llmops.guardrails.v1.GuardrailsService/CheckInput", f"Bearer {tokens.mint('query', 'acme')}")
    assert service.is_service
