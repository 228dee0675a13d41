"""Signed tokens services give each other: ``svc1.<payload>.<hmac>`` (HMAC-SHA256, base64url).

Not JWT: one algorithm, one key, nothing to negotiate. The payload names the calling service, the
tenant it acts for and an expiry; a token is minted per call, so there is nothing to refresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from llmops_core.auth.principal import SERVICE_SCOPE, Principal
from llmops_core.errors import FailedPrecondition, Unauthenticated

PREFIX = "svc1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ServiceTokens:
    def __init__(self, secret: str, lifetime_seconds: int = 300) -> None:
        if len(secret) < 32:
            raise FailedPrecondition(
                "LLMOPS_AUTH_SERVICE_SECRET must be set to at least 32 characters (`llmops up` generates one)"
            )
        self._key = secret.encode()
        self.lifetime_seconds = lifetime_seconds

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def mint(self, service: str, tenant_id: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self.lifetime_seconds)
        payload = _b64(json.dumps({"svc": service, "ten": tenant_id, "exp": expires}, separators=(",", ":")).encode())
        return f"{PREFIX}.{payload}.{self._sign(payload)}"

    def verify(self, token: str, now: float | None = None) -> Principal:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            raise Unauthenticated("the service token is malformed")
        payload, signature = parts[1], parts[2]
        if not hmac.compare_digest(self._sign(payload), signature):
            raise Unauthenticated("the service token's signature does not match")
        try:
            claims = json.loads(_unb64(payload))
            service, tenant, expires = str(claims["svc"]), str(claims["ten"]), int(claims["exp"])
        except (ValueError, KeyError, TypeError) as error:
            raise Unauthenticated("the service token's payload is unreadable") from error
        if expires < (now if now is not None else time.time()):
            raise Unauthenticated("the service token has expired")
        return Principal(f"service:{service}", tenant, frozenset({SERVICE_SCOPE}))
