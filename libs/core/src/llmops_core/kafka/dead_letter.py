"""One reliability policy for every Kafka consumer: retry what may pass, dead-letter what cannot.

Broker middleware, so every subscriber of every service, single-record or batch, gets the same
policy without plumbing in its handler (docs/decisions/0017-consumer-reliability.md):

- ``PermanentError`` or a protobuf ``DecodeError``: the record goes to ``<topic>.dlq`` at once.
- Any other error: the whole message (record or batch) is retried with full-jitter exponential
  backoff until the deadline, then each of its records is dead-lettered.
- A batch handler that has processed its good records raises ``PoisonRecords`` naming the bad ones;
  only those are dead-lettered, each with its own reason.
- A replayed record addressed to another consumer group is acked without being processed.

Every dead letter names the consumer group that failed (``x-dlq-group``), so a replay can be
addressed to that group alone. Dead-lettering counts as handling: the offsets are committed and the
partitions keep flowing. If an error still escapes (the DLQ publish failed), every partition of the
message is rewound to its first record there, so the message is read again and never skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware
from google.protobuf.message import DecodeError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_not_exception_type,
    stop_before_delay,
    wait_random_exponential,
)

from llmops_core.kafka.delivery import nacks_on_error, only_records_for, records_of, rewind, subscriber_group

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream._internal.basic_types import AsyncFuncAny
    from faststream._internal.context.repository import ContextRepo
    from faststream.kafka import KafkaBroker
    from faststream.message import StreamMessage

    from llmops_core.settings import KafkaSettings

HEADER_ERROR = "x-dlq-error"
HEADER_ERROR_TYPE = "x-dlq-error-type"
HEADER_ATTEMPTS = "x-dlq-attempts"
HEADER_ORIGIN = "x-dlq-origin"  # topic/partition/offset of the original record
HEADER_GROUP = "x-dlq-group"  # the consumer group that failed on it ("" for a subscriber without one)

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (invalid content); goes to the DLQ at once."""


class PoisonRecords(Exception):
    """Raised by a batch handler *after* its good records are processed: these records can never succeed.

    The middleware dead-letters each with its own error and treats the batch as handled. Raising ends
    the handler, so raise it last; a transient failure before that retries the whole batch.
    """

    def __init__(self, poison: Sequence[tuple[ConsumerRecord[Any, Any], BaseException]]) -> None:
        super().__init__(f"{len(poison)} record(s) cannot be processed")
        self.poison = list(poison)


NOT_RETRYABLE = (PermanentError, DecodeError)


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential waits (uniform up to initial, 2x, 4x, ... capped) within a deadline."""

    initial_seconds: float
    max_interval_seconds: float
    deadline_seconds: float

    @classmethod
    def from_settings(cls, settings: KafkaSettings) -> Backoff:
        return cls(settings.retry_initial_seconds, settings.retry_max_interval_seconds, settings.retry_deadline_seconds)

    def retrying(self) -> AsyncRetrying:
        # Full jitter spreads the retries of many consumers over a recovering dependency; stopping
        # *before* a wait that would cross the deadline bounds the time until a record is dead-lettered.
        return AsyncRetrying(
            wait=wait_random_exponential(multiplier=self.initial_seconds, max=self.max_interval_seconds),
            stop=stop_before_delay(self.deadline_seconds),
            retry=retry_if_not_exception_type(NOT_RETRYABLE),
            before_sleep=_log_retry,
            reraise=True,
        )


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning("attempt %d failed (%r); retrying in %.2f s", state.attempt_number, error, wait)


class DeadLetterPolicy:
    """Middleware factory: FastStream builds one middleware per message through ``__call__``."""

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff
        self._broker: KafkaBroker | None = None

    def bind(self, broker: KafkaBroker) -> None:
        self._broker = broker

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> _ReliableConsume:
        return _ReliableConsume(msg, context=context, policy=self)

    async def dead_letter(
        self, record: ConsumerRecord[Any, Any], error: BaseException, attempts: int, group: str
    ) -> None:
        if self._broker is None:
            raise RuntimeError("DeadLetterPolicy used before bind(broker)")
        await dead_letter_record(self._broker, record, error, attempts, group)


async def dead_letter_record(
    broker: KafkaBroker, record: ConsumerRecord[Any, Any], error: BaseException, attempts: int, group: str
) -> None:
    """Publishes one consumed record to ``<topic>.dlq`` with the error and the failing group in headers."""
    headers = {k: bytes(v).decode(errors="replace") for k, v in record.headers or ()}
    headers.update(
        {
            HEADER_ERROR: f"{error}"[:2000] or type(error).__name__,
            HEADER_ERROR_TYPE: type(error).__qualname__,
            HEADER_ATTEMPTS: str(attempts),
            HEADER_ORIGIN: f"{record.topic}/{record.partition}/{record.offset}",
            HEADER_GROUP: group,
        }
    )
    await broker.publish(record.value or b"", f"{record.topic}.dlq", key=record.key, headers=headers)


class _ReliableConsume(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: ContextRepo, policy: DeadLetterPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        group = subscriber_group(self.context)
        mine = only_records_for(msg, group)
        if mine is None:  # replays addressed to other groups: acked, never processed here
            return None
        try:
            return await self._handle(call_next, mine, group)
        except Exception:
            # Only the DLQ publish can fail here; FastStream nacks after this, and the rewind makes
            # that nack cover every partition of a batch.
            if msg.committed is None and nacks_on_error(self.context):
                rewind(msg)
            raise

    async def _handle(self, call_next: AsyncFuncAny, msg: StreamMessage[Any], group: str) -> Any:
        attempts = 0
        poison: PoisonRecords | None = None
        try:
            async for attempt in self.policy.backoff.retrying():
                with attempt:
                    attempts += 1
                    try:
                        return await call_next(msg)
                    except PoisonRecords as reported:
                        poison = reported
        except Exception as error:  # the deadline passed or retrying cannot help: every record goes
            log.error("dead-lettering %d record(s) after %d attempt(s)", len(records_of(msg)), attempts, exc_info=error)
            for record in records_of(msg):
                await self.policy.dead_letter(record, error, attempts, group)
            return None
        if poison is not None:
            for record, reason in poison.poison:
                log.error("dead-lettering a poison record of %s: %r", record.topic, reason)
                await self.policy.dead_letter(record, reason, attempts, group)
        return None
