"""Errors the client raises on purpose: each has a ``code`` to match on, never the message."""

from __future__ import annotations

from dataclasses import dataclass


class ProbityError(Exception):
    """Base class: ``code`` names the failure; ``retriable`` says whether trying again later may succeed."""

    code: str = "PROBITY_ERROR"
    retriable: bool = False

    def __init__(self, code: str, message: str, *, retriable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable


@dataclass(frozen=True)
class FieldIssue:
    """One bad field: ``path`` as the gateway and the notary name it, e.g. ``inputs[0].sha256``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(record)'}: {self.message}"


class ValidationError(ProbityError):
    """A record that the schema or the notary's rules refuse (code ``MANIFEST_INVALID``); nothing was sent."""

    def __init__(self, record_type: str, issues: list[FieldIssue]) -> None:
        super().__init__("MANIFEST_INVALID", f"{record_type} is invalid: " + "; ".join(str(i) for i in issues))
        self.record_type = record_type
        self.issues = issues


class GatewayError(ProbityError):
    """The gateway refused a request (4xx: ``code`` is the gateway's, e.g. ``TENANT_MISMATCH``) or failed (5xx)."""

    def __init__(self, code: str, message: str, *, status: int, issues: list[dict[str, object]] | None = None, retriable: bool = False) -> None:
        super().__init__(code, message, retriable=retriable)
        self.status = status
        self.issues = issues or []


class SpoolError(ProbityError):
    """The local spool is full (``SPOOL_FULL``) or cannot be written (``SPOOL_FAILED``): the records are NOT kept."""
