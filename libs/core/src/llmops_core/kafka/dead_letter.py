"""Bounded retries per message, then ``<topic>.dlq`` with the error in headers.

Implemented as broker middleware so every subscriber of every service gets it without plumbing
in its handler. Dead-lettering counts as handling: the offset is committed and the partition
keeps flowing. If publishing to the DLQ itself fails, the error escapes and the message is read
again (never lost).
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware
from google.protobuf.message import DecodeError
from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

if TYPE_CHECKING:
    from faststream._internal.basic_types import AsyncFuncAny
    from faststream._internal.context.repository import ContextRepo
    from faststream.kafka import KafkaBroker
    from faststream.message import StreamMessage

HEADER_ERROR = "x-dlq-error"
HEADER_ERROR_TYPE = "x-dlq-error-type"
HEADER_ATTEMPTS = "x-dlq-attempts"
HEADER_ORIGIN = "x-dlq-origin"  # topic/partition/offset of the original record


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (invalid content); goes to the DLQ at once."""


NOT_RETRYABLE = (PermanentError, DecodeError)


class DeadLetterPolicy:
    """Middleware factory: FastStream builds one middleware per message through ``__call__``."""

    def __init__(self, max_attempts: int, backoff_seconds: float) -> None:
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self._broker: KafkaBroker | None = None

    def bind(self, broker: KafkaBroker) -> None:
        self._broker = broker

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> _DeadLetterMiddleware:
        return _DeadLetterMiddleware(msg, context=context, policy=self)

    async def dead_letter(self, msg: StreamMessage[Any], error: BaseException, attempts: int) -> None:
        if self._broker is None:
            raise RuntimeError("DeadLetterPolicy used before bind(broker)")
        await dead_letter_record(self._broker, msg.raw_message, error, attempts)


async def dead_letter_record(broker: KafkaBroker, record: Any, error: BaseException, attempts: int) -> None:
    """Publishes one consumed record to ``<topic>.dlq`` with the error in its headers.

    Batch handlers call this for the records of a batch that cannot be processed.
    """
    headers = {k: v.decode(errors="replace") for k, v in record.headers}
    headers.update(
        {
            HEADER_ERROR: f"{error}"[:2000] or type(error).__name__,
            HEADER_ERROR_TYPE: type(error).__qualname__,
            HEADER_ATTEMPTS: str(attempts),
            HEADER_ORIGIN: f"{record.topic}/{record.partition}/{record.offset}",
        }
    )
    await broker.publish(record.value or b"", f"{record.topic}.dlq", key=record.key, headers=headers)


class _DeadLetterMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: ContextRepo, policy: DeadLetterPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        if isinstance(msg.raw_message, tuple):  # batch subscribers handle their own failures
            return await call_next(msg)
        attempts = 0
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.policy.max_attempts),
                wait=wait_exponential(multiplier=self.policy.backoff_seconds, max=5),
                retry=retry_if_not_exception_type(NOT_RETRYABLE),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    return await call_next(msg)
        except Exception as error:  # every failure ends in the DLQ; nothing is swallowed silently
            traceback.print_exception(error)
            await self.policy.dead_letter(msg, error, attempts)
        return None
