"""Emitter signatures the notary verifies: per batch (the default) or per record.

Batch mode (as the TypeScript SDK signs): per tenant, up to 128 records'
content hashes are the leaves of an RFC 6962 tree; one DSSE envelope
(payload type ``application/vnd.probity.emitter-batch.v1+json``) signs the
statement ``{"v":1,"tenant":…,"size":N,"root":"<64 hex>"}`` byte for byte,
and each record carries the envelope's payload and signatures plus its
inclusion proof. Record mode signs each record's single-object bytes
(payload type ``application/vnd.probity.evidence+avro``).

Ed25519 comes from ``cryptography`` (PyCA), the client's one dependency,
installed with the ``signing`` extra; nothing else here needs it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any, Literal, Sequence

from .errors import ProbityError

EMITTER_BATCH_PAYLOAD_TYPE = "application/vnd.probity.emitter-batch.v1+json"
EVIDENCE_PAYLOAD_TYPE = "application/vnd.probity.evidence+avro"
MAX_EMITTER_BATCH = 128

__all__ = ["Signer", "EMITTER_BATCH_PAYLOAD_TYPE", "EVIDENCE_PAYLOAD_TYPE", "MAX_EMITTER_BATCH", "pae", "merkle_root", "inclusion_proof", "batch_statement"]


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 6962 §2.1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_root(leaves[:k]), _root(leaves[k:]))


def merkle_root(content_hashes: Sequence[bytes]) -> bytes:
    return _root([_leaf(h) for h in content_hashes])


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return _path(index, leaves[:k]) + [_root(leaves[k:])]
    return _path(index - k, leaves[k:]) + [_root(leaves[:k])]


def inclusion_proof(index: int, content_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 audit path of leaf ``index``, leaf first."""
    return _path(index, [_leaf(h) for h in content_hashes])


def batch_statement(tenant: str, size: int, root: bytes) -> bytes:
    """The statement bytes exactly as the notary expects them (JSON.stringify's escaping, no spaces)."""
    return ('{"v":1,"tenant":' + json.dumps(tenant, ensure_ascii=False, separators=(",", ":")) + ',"size":' + str(size) + ',"root":"' + root.hex() + '"}').encode("utf-8")


def _cryptography() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError as err:
        raise ProbityError("SIGNING_UNAVAILABLE", "emitter signatures need the cryptography package: pip install 'probity-client[signing]'") from err


class Signer:
    """An Ed25519 emitter key; register its public key (``public_key_base64``) for the tenant with ``probity keys register``."""

    def __init__(self, private_key: Any, *, key_id: str | None = None, mode: Literal["batch", "record"] = "batch") -> None:
        _cryptography()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        if not isinstance(private_key, Ed25519PrivateKey):
            raise ProbityError("KEY_INVALID", "expected an Ed25519 private key")
        if mode not in ("batch", "record"):
            raise ProbityError("KEY_INVALID", f"mode must be 'batch' or 'record', got {mode!r}")
        self._key = private_key
        self.public_key_raw: bytes = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        # Probity's default key id: hex SHA-256 of the raw public key.
        self.key_id = key_id or hashlib.sha256(self.public_key_raw).hexdigest()
        self.mode = mode

    @classmethod
    def from_pem(cls, pem: bytes | str | Path, *, key_id: str | None = None, mode: Literal["batch", "record"] = "batch") -> "Signer":
        """From a PKCS#8 PEM private key (bytes, text, or a file path), e.g. one `probity keys generate` wrote."""
        _cryptography()
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        data = Path(pem).read_bytes() if isinstance(pem, Path) else pem.encode() if isinstance(pem, str) else pem
        return cls(load_pem_private_key(data, password=None), key_id=key_id, mode=mode)

    @classmethod
    def generate(cls, *, mode: Literal["batch", "record"] = "batch") -> "Signer":
        _cryptography()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return cls(Ed25519PrivateKey.generate(), mode=mode)

    @property
    def public_key_base64(self) -> str:
        return base64.b64encode(self.public_key_raw).decode()

    def _sign(self, payload_type: str, payload: bytes) -> dict[str, str]:
        return {"keyid": self.key_id, "sig": base64.b64encode(self._key.sign(pae(payload_type, payload))).decode()}

    def sign_record(self, single_object: bytes) -> list[dict[str, str]]:
        """Record mode: the DSSE signatures over one record's bytes (header ``probity-emitter-envelope``)."""
        return [self._sign(EVIDENCE_PAYLOAD_TYPE, single_object)]

    def sign_batch(self, tenant: str, content_hashes: Sequence[str]) -> list[dict[str, Any]]:
        """Batch mode, one tenant, at most MAX_EMITTER_BATCH records: each record's ``{payload, signatures, index, proof}``."""
        if not 0 < len(content_hashes) <= MAX_EMITTER_BATCH:
            raise ProbityError("BATCH_INVALID", f"a signed batch holds 1 to {MAX_EMITTER_BATCH} records, got {len(content_hashes)}")
        hashes = [bytes.fromhex(h) for h in content_hashes]
        leaves = [_leaf(h) for h in hashes]
        statement = batch_statement(tenant, len(hashes), _root(leaves))
        payload = base64.b64encode(statement).decode()
        signatures = [self._sign(EMITTER_BATCH_PAYLOAD_TYPE, statement)]
        return [
            {"payload": payload, "signatures": signatures, "index": i, "proof": [base64.b64encode(p).decode() for p in _path(i, leaves)]}
            for i in range(len(hashes))
        ]
