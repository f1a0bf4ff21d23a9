"""DSSE interop helper for test/interop/crypto: runs securesystemslib on
envelopes produced by @probity/crypto, and signs envelopes for it to verify.

Reads one JSON request on stdin, writes one JSON response on stdout:
  {"verify": [{"envelope": {...}, "keys": [{"keyid", "public_b64"}], "threshold": 1}],
   "sign":   [{"payload_b64", "payload_type", "private_pem"?, "default_keyid"?}]}
A sign request without private_pem uses a fresh Ed25519 key generated here.
Its key id is the lowercase hex SHA-256 of the raw public key (Probity's
rule), or with "default_keyid": true securesystemslib's own default (SHA-256
of the key's canonical JSON), as an emitter using the library plainly gets.
"""

import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import CryptoSigner, SSlibKey


def trusted_key(spec):
    raw = base64.b64decode(spec["public_b64"], validate=True)
    return SSlibKey(spec["keyid"], "ed25519", "ed25519", {"public": raw.hex()})


def verify(req):
    try:
        envelope = Envelope.from_dict(json.loads(json.dumps(req["envelope"])))
        accepted = envelope.verify([trusted_key(k) for k in req["keys"]], req.get("threshold", 1))
        return {"result": "ok", "keyids": sorted(accepted.keys()),
                "payload_b64": base64.b64encode(envelope.payload).decode()}
    except (VerificationError, ValueError, KeyError) as err:
        return {"result": f"{type(err).__name__}: {err}"}


def sign(req):
    if "private_pem" in req:
        private_key = load_pem_private_key(req["private_pem"].encode(), None)
    else:
        private_key = Ed25519PrivateKey.generate()
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if req.get("default_keyid"):
        signer = CryptoSigner(private_key)
        keyid = signer.public_key.keyid
    else:
        keyid = hashlib.sha256(raw).hexdigest()
        signer = CryptoSigner(private_key, SSlibKey.from_crypto(private_key.public_key(), keyid))
    envelope = Envelope(base64.b64decode(req["payload_b64"]), req["payload_type"], {})
    envelope.sign(signer)
    return {"envelope": envelope.to_dict(), "keyid": keyid, "public_b64": base64.b64encode(raw).decode()}


def main():
    request = json.load(sys.stdin)
    response = {
        "verify": [verify(r) for r in request.get("verify", [])],
        "sign": [sign(r) for r in request.get("sign", [])],
    }
    json.dump(response, sys.stdout)


if __name__ == "__main__":
    main()
