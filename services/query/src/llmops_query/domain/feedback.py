"""What a piece of feedback is, and the rules a SubmitFeedback request must meet (see query.proto)."""

from __future__ import annotations

from dataclasses import dataclass

from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant

RATINGS = (-1, 0, 1)
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class Feedback:
    tenant_id: str
    answer_id: str
    rating: int
    comment: str  # redacted once accepted


def feedback_request(tenant_id: str, answer_id: str, rating: int, comment: str) -> Feedback:
    tenant_id = require_tenant(tenant_id)
    if not answer_id:
        raise InvalidArgument("answer_id is required")
    if rating not in RATINGS:
        raise InvalidArgument(f"rating is {rating}; use -1, 0 or 1")
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidArgument(f"comment is longer than {MAX_COMMENT_CHARS} characters")
    return Feedback(tenant_id, answer_id, rating, comment)
