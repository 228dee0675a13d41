"""Domain errors map to the gRPC status a caller expects."""

from __future__ import annotations

import grpc
import pytest

from llmops_core import errors
from llmops_core.grpc_server import status_for


class EmptyQuestion(errors.InvalidArgument):
    pass


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidArgument("question is empty"), grpc.StatusCode.INVALID_ARGUMENT),
        (EmptyQuestion("question is empty"), grpc.StatusCode.INVALID_ARGUMENT),
        (errors.NotFound("no such document"), grpc.StatusCode.NOT_FOUND),
        (errors.AlreadyExists("exists"), grpc.StatusCode.ALREADY_EXISTS),
        (errors.FailedPrecondition("index not built"), grpc.StatusCode.FAILED_PRECONDITION),
        (errors.Unavailable("Triton is down"), grpc.StatusCode.UNAVAILABLE),
        (errors.DeadlineExceeded("too slow"), grpc.StatusCode.DEADLINE_EXCEEDED),
        (errors.DomainError("unclassified"), grpc.StatusCode.INTERNAL),
    ],
)
def test_status_for(error: errors.DomainError, status: grpc.StatusCode) -> None:
    assert status_for(error) == status
