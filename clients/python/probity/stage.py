"""``with probity.stage("TRAINING", run_id=…):`` — one EvidenceManifest per pipeline stage, emitted at exit."""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Iterable, Mapping

from .client import Client
from .errors import ProbityError

__all__ = ["Stage", "stage", "configure", "default_client", "sha256_file"]

log = logging.getLogger("probity")
_default: Client | None = None


def configure(client: Client | None = None, **options: Any) -> Client:
    """Set the client ``stage`` uses when none is passed: a ready one, or ``Client(**options)``."""
    global _default
    _default = client if client is not None else Client(**options)
    return _default


def default_client() -> Client:
    """The configured client, else one from ``PROBITY_GATEWAY_URL``, ``PROBITY_TOKEN`` and (optional) ``PROBITY_SPOOL_DIR``."""
    global _default
    if _default is None:
        url, token = os.environ.get("PROBITY_GATEWAY_URL"), os.environ.get("PROBITY_TOKEN")
        if not url or not token:
            raise ProbityError("CONFIG_INVALID", "no client: call probity.configure(...) or set PROBITY_GATEWAY_URL and PROBITY_TOKEN")
        _default = Client(url, token, spool_dir=os.environ.get("PROBITY_SPOOL_DIR") or None)
    return _default


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Lowercase hex SHA-256 of a file, for an artifact's ``sha256``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Stage:
    """A pipeline stage's evidence, filled in while the stage runs and emitted when it ends.

    The manifest's ``occurred_at`` is the end; ``labels`` get ``outcome`` (``success`` or
    ``failure``), ``duration_ms`` and, on failure, ``error`` (the exception's type). An exception
    in the stage is never swallowed: its manifest is emitted and the exception goes on. The
    manifest is validated when the ``with`` block is entered (every field given then) and again
    at exit.
    """

    def __init__(
        self,
        stage: str,
        *,
        run_id: str,
        tenant: str | None = None,
        client: Client | None = None,
        model_id: str | None = None,
        model_version: str | None = None,
        pipeline_id: str | None = None,
        principal: Mapping[str, Any] | None = None,
        commit_sha: str | None = None,
        controls: Iterable[str] = (),
        labels: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
        summary: str | None = None,
        inputs: Iterable[Mapping[str, Any]] = (),
        outputs: Iterable[Mapping[str, Any]] = (),
        flush: bool = True,
    ) -> None:
        self.client = client
        self.manifest: dict[str, Any] = {
            "tenant": tenant or os.environ.get("PROBITY_TENANT", ""),
            "manifest_id": str(uuid.uuid4()),
            "run_id": run_id,
            "stage": stage,
            "principal": dict(principal) if principal else {"kind": "SERVICE", "id": f"python:{getpass.getuser()}@{socket.gethostname()}"},
            "inputs": [dict(a) for a in inputs],
            "outputs": [dict(a) for a in outputs],
            "controls": list(controls),
            "labels": dict(labels or {}),
        }
        for key, value in (("model_id", model_id), ("model_version", model_version), ("pipeline_id", pipeline_id), ("commit_sha", commit_sha), ("summary", summary), ("details", details)):
            if value is not None:
                self.manifest[key] = value
        self.flush = flush
        self.content_hash: str | None = None
        self._started = 0.0

    def add_input(self, id: str, kind: str, sha256: str, **fields: Any) -> None:
        """An artifact the stage read (``kind``: DATASET, MODEL, CODE, …; ``uri``, ``size_bytes``, ``media_type`` optional)."""
        self.manifest["inputs"].append({"id": id, "kind": kind, "sha256": sha256, **fields})

    def add_output(self, id: str, kind: str, sha256: str, **fields: Any) -> None:
        self.manifest["outputs"].append({"id": id, "kind": kind, "sha256": sha256, **fields})

    def _record(self, outcome: str, error: BaseException | None) -> dict[str, Any]:
        record = dict(self.manifest)
        record["occurred_at"] = _dt.datetime.now(_dt.timezone.utc)
        labels = dict(record["labels"])
        labels["outcome"] = outcome
        labels["duration_ms"] = str(int((time.monotonic() - self._started) * 1000))
        if error is not None:
            labels["error"] = type(error).__name__
        record["labels"] = labels
        return record

    def __enter__(self) -> "Stage":
        self.client = self.client or default_client()
        self._started = time.monotonic()
        from .schema import encode_record

        encode_record("EvidenceManifest", self._record("success", None))  # fail fast on a bad argument
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        assert self.client is not None
        record = self._record("failure" if exc is not None else "success", exc)
        try:
            self.content_hash = self.client.emit(record)
            if self.flush:
                self.client.flush()
        except Exception:
            if exc is None:
                raise
            # The stage's own exception matters more; the failure manifest's fate is logged.
            log.exception("could not emit the failure manifest of stage %s run %s", record["stage"], record["run_id"])


def stage(stage: str, **options: Any) -> Stage:
    """``with probity.stage("TRAINING", run_id=…, model_id=…) as s:`` — see ``Stage``."""
    return Stage(stage, **options)
