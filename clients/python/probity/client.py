"""Sending records to the ingest gateway: batching, retries with backoff, a local spool, signatures."""

from __future__ import annotations

import http.client
import json
import logging
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import GatewayError, ProbityError, SpoolError
from .schema import EncodedRecord, encode_record
from .signing import MAX_EMITTER_BATCH, Signer
from .spool import Spool

__all__ = ["Client", "FlushResult"]

log = logging.getLogger("probity")

#: The gateway takes at most this many records per request.
MAX_RECORDS_PER_REQUEST = 1000


@dataclass
class FlushResult:
    """What a flush did: records the gateway acknowledged (now, and replayed from the spool) and records spooled."""

    sent: int = 0
    replayed: int = 0
    spooled: int = 0
    rejected_batches: int = 0
    content_hashes: list[str] = field(default_factory=list)


class _Unreachable(Exception):
    """The gateway did not answer, or answered 429/5xx, through every retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Client:
    """A gateway client. ``emit`` validates at once (``ValidationError`` names each bad field) and
    queues; every ``batch_size`` records, and on ``flush``/``close``/leaving a ``with`` block, queued
    records go to the gateway in batches. A batch the gateway does not take after ``retries``
    attempts (connection refused, timeout, 429, 5xx) goes to the spool when ``spool_dir`` is set,
    and the spool is replayed, oldest first, before anything newer is sent. Without a spool such
    a batch raises ``GatewayError`` ``UNAVAILABLE`` and stays queued. A 4xx other than 408/429 is
    final: ``GatewayError`` with the gateway's code and field issues.

    With a ``signer`` every record carries an emitter signature the notary verifies (the signer's
    mode: one per batch of up to 128 records, or one per record).
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        signer: Signer | None = None,
        spool_dir: str | None = None,
        spool_max_bytes: int = 64 * 1024 * 1024,
        spool_max_batches: int = 10_000,
        batch_size: int = 100,
        timeout: float = 10.0,
        retries: int = 4,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ProbityError("CONFIG_INVALID", f"expected the gateway's http(s) URL, got {url!r}")
        if not 1 <= batch_size <= MAX_RECORDS_PER_REQUEST:
            raise ProbityError("CONFIG_INVALID", f"batch_size must be 1..{MAX_RECORDS_PER_REQUEST}")
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port
        self._path = parsed.path.rstrip("/") + "/v1/manifests"
        self._token = token
        self.signer = signer
        self.spool = Spool(spool_dir, max_bytes=spool_max_bytes, max_batches=spool_max_batches) if spool_dir else None
        self.batch_size = batch_size
        self.timeout = timeout
        self.retries = retries
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._queue: list[EncodedRecord] = []
        self._lock = threading.RLock()
        self._connection: http.client.HTTPConnection | None = None
        self._closed = False
        # After an outage is seen, batches go straight to the spool until then (no retries per batch).
        self._down_until = 0.0

    # --- public API ---------------------------------------------------------------------------

    def emit(self, record: Mapping[str, Any], record_type: str = "EvidenceManifest") -> str:
        """Validate and queue one record; returns its content hash (what the notary will log it under)."""
        encoded = encode_record(record_type, record)
        with self._lock:
            if self._closed:
                raise ProbityError("CLIENT_CLOSED", "the client is closed")
            self._queue.append(encoded)
            if len(self._queue) >= self.batch_size:
                self.flush()
        return encoded.content_hash

    def flush(self) -> FlushResult:
        """Replay the spool, then send everything queued. Returns what happened; raises when a
        batch was neither acknowledged nor spooled."""
        with self._lock:
            result = FlushResult()
            reachable = self._replay(result)
            while self._queue:
                batch = self._next_batch()
                body = self._body(batch)
                if reachable:
                    try:
                        hashes = self._post(body)
                        if hashes != [r.content_hash for r in batch]:
                            # A gateway with another schema version encodes other bytes: emit's hashes are not the logged ones.
                            log.warning("the gateway's content hashes differ from the ones emit returned (schema versions differ?); FlushResult.content_hashes has the gateway's")
                        result.sent += len(batch)
                        result.content_hashes += hashes
                        del self._queue[: len(batch)]
                        continue
                    except _Unreachable as err:
                        reachable = False
                        self._down_until = time.monotonic() + self.backoff_max
                        if self.spool is None:
                            raise GatewayError("UNAVAILABLE", f"the gateway did not take the batch after {self.retries + 1} attempts: {err.reason}", status=0, retriable=True) from err
                        log.warning("gateway unreachable (%s): spooling to %s", err.reason, self.spool.directory)
                if self.spool is None:  # pragma: no cover - reachable is only False with a spool
                    raise GatewayError("UNAVAILABLE", "the gateway is unreachable", status=0, retriable=True)
                self.spool.append(body)
                result.spooled += len(batch)
                result.content_hashes += [r.content_hash for r in batch]
                del self._queue[: len(batch)]
            return result

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self.flush()
            finally:
                self._closed = True
                if self._connection is not None:
                    self._connection.close()
                if self.spool is not None:
                    self.spool.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- batches ------------------------------------------------------------------------------

    def _next_batch(self) -> list[EncodedRecord]:
        """The oldest queued records of one record type (a request carries one type)."""
        first = self._queue[0].record_type
        batch: list[EncodedRecord] = []
        for record in self._queue:
            if record.record_type != first or len(batch) == self.batch_size:
                break
            batch.append(record)
        return batch

    def _body(self, batch: list[EncodedRecord]) -> dict[str, Any]:
        body: dict[str, Any] = {"type": batch[0].record_type, "records": [r.json for r in batch]}
        if self.signer is not None:
            body["signatures"] = self._signatures(batch, self.signer)
        return body

    @staticmethod
    def _signatures(batch: list[EncodedRecord], signer: Signer) -> list[dict[str, Any]]:
        if signer.mode == "record":
            return [{"contentHash": r.content_hash, "emitterEnvelope": signer.sign_record(r.single_object)} for r in batch]
        signatures: list[dict[str, Any] | None] = [None] * len(batch)
        by_tenant: dict[str, list[int]] = {}
        for i, record in enumerate(batch):
            by_tenant.setdefault(record.tenant, []).append(i)
        for tenant, indexes in by_tenant.items():
            for start in range(0, len(indexes), MAX_EMITTER_BATCH):
                run = indexes[start : start + MAX_EMITTER_BATCH]
                proofs = signer.sign_batch(tenant, [batch[i].content_hash for i in run])
                for i, proof in zip(run, proofs):
                    signatures[i] = {"contentHash": batch[i].content_hash, "emitterBatch": proof}
        return [s for s in signatures if s is not None]

    def _replay(self, result: FlushResult) -> bool:
        """Send the spool oldest first; False (and the rest kept) when the gateway is unreachable."""
        if self.spool is None:
            return True
        if time.monotonic() < self._down_until:
            return False
        for path, body in self.spool.entries():
            try:
                hashes = self._post(body)
            except _Unreachable as err:
                log.warning("gateway still unreachable (%s): %d spooled batch(es) kept", err.reason, self.spool.pending())
                self._down_until = time.monotonic() + self.backoff_max
                return False
            except GatewayError as err:
                # Validated before spooling, so this is a token or tenant problem: keep it aside, never drop it.
                moved = self.spool.reject(path)
                result.rejected_batches += 1
                log.error("the gateway refused a spooled batch for good (%s: %s); kept in %s", err.code, err, moved)
                continue
            self.spool.remove(path)
            result.replayed += len(hashes)
            result.content_hashes += hashes
        return True

    # --- HTTP ---------------------------------------------------------------------------------

    def _post(self, body: dict[str, Any]) -> list[str]:
        """POST with retries and exponential backoff (honouring ``Retry-After``); the acknowledged content hashes."""
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        delay = self.backoff_initial
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt > 0:
                self._sleep(min(self.backoff_max, delay) * random.uniform(0.5, 1.0))
                delay *= 2
            try:
                status, headers, payload = self._request(data)
            except (OSError, http.client.HTTPException) as err:
                self._drop_connection()
                reason = f"{type(err).__name__}: {err}"
                continue
            if status == 202:
                return [r["contentHash"] for r in json.loads(payload)["results"]]
            answer = _error_body(payload)
            if status in (408, 429) or status >= 500:
                reason = f"HTTP {status} {answer.get('code', '')}".strip()
                retry_after = headers.get("retry-after")
                if retry_after and retry_after.isdigit():
                    delay = max(delay, float(retry_after))
                continue
            raise GatewayError(str(answer.get("code", f"HTTP_{status}")), str(answer.get("message", payload[:200])), status=status, issues=answer.get("issues"))
        raise _Unreachable(reason)

    def _request(self, data: bytes) -> tuple[int, dict[str, str], str]:
        if self._connection is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            self._connection = cls(self._host, self._port, timeout=self.timeout)
        connection = self._connection
        connection.request("POST", self._path, body=data, headers={"authorization": f"Bearer {self._token}", "content-type": "application/json"})
        response = connection.getresponse()
        payload = response.read().decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in response.getheaders()}
        if headers.get("connection", "").lower() == "close":
            self._drop_connection()
        return response.status, headers, payload

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _error_body(payload: str) -> dict[str, Any]:
    try:
        error = json.loads(payload).get("error")
        return error if isinstance(error, dict) else {}
    except (ValueError, AttributeError):
        return {}
