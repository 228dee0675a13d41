"""Domain errors every service raises; the gRPC interceptor maps each to its status code.

Domain code raises these with a sentence for a person; it never imports grpc.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors whose message is safe and useful to show the caller."""


class InvalidArgument(DomainError):
    """The caller sent something the API does not accept."""


class NotFound(DomainError):
    """The named entity does not exist (for this tenant)."""


class AlreadyExists(DomainError):
    """The entity exists and the call would create it again."""


class FailedPrecondition(DomainError):
    """The system is not in a state where the call can succeed (e.g. index not built)."""


class Unavailable(DomainError):
    """A dependency (broker, database, Triton, model endpoint) is down; retrying may help."""


class DeadlineExceeded(DomainError):
    """The work did not finish in time."""


class Unauthenticated(DomainError):
    """The call carries no credential, or one that is malformed, unknown, expired or revoked."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this (another tenant's data, a scope it lacks)."""
