"""Answer ids that prove where they came from, so the stateless query service can tell its own.

An id is a UUID (RFC 9562 version 8, the custom layout): 74 random bits, then the first 48 bits
of an HMAC-SHA256 over the tenant and those random bits. Feedback naming an id this deployment
did not issue to that tenant is rejected without a lookup (docs/decisions/0021-answer-ids.md).
It stays a UUID because product apps store answer ids, and a UUID column is what they use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

# Bytes of the UUID that are random (version and variant bits live inside them) and that are the tag.
RANDOM_BYTES, TAG_BYTES = 10, 6
# The service secret signs other things too (service tokens): a key of its own keeps the two apart.
KEY_CONTEXT = b"llmops answer ids v1"
MIN_SECRET_CHARS = 32


class AnswerIds:
    def __init__(self, service_secret: str) -> None:
        if len(service_secret) < MIN_SECRET_CHARS:
            raise ValueError(
                f"answer ids are signed with LLMOPS_AUTH_SERVICE_SECRET: set it to at least {MIN_SECRET_CHARS} "
                "characters (`llmops up` generates one)"
            )
        self._key = hmac.new(service_secret.encode(), KEY_CONTEXT, hashlib.sha256).digest()

    def _tag(self, tenant_id: str, random_part: bytes) -> bytes:
        message = tenant_id.encode() + b"\x00" + random_part
        return hmac.new(self._key, message, hashlib.sha256).digest()[:TAG_BYTES]

    def issue(self, tenant_id: str) -> str:
        raw = bytearray(secrets.token_bytes(RANDOM_BYTES))
        raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
        return str(uuid.UUID(bytes=bytes(raw) + self._tag(tenant_id, bytes(raw))))

    def issued(self, tenant_id: str, answer_id: str) -> bool:
        """Whether this deployment gave ``answer_id`` to ``tenant_id``."""
        if len(answer_id) != 36:
            return False
        try:
            parsed = uuid.UUID(answer_id)
        except ValueError:
            return False
        if str(parsed) != answer_id:  # only the canonical spelling: one answer, one id string
            return False
        raw = parsed.bytes
        return hmac.compare_digest(raw[RANDOM_BYTES:], self._tag(tenant_id, raw[:RANDOM_BYTES]))
