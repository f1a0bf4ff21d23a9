import base64
import json
import unittest
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from probity import Signer
from probity.signing import EMITTER_BATCH_PAYLOAD_TYPE, EVIDENCE_PAYLOAD_TYPE, MAX_EMITTER_BATCH, pae
from probity.errors import ProbityError

TREES = json.loads((Path(__file__).parent / "fixtures" / "trees.json").read_text("utf-8"))


class BatchSignatures(unittest.TestCase):
    def test_statements_and_proofs_are_the_sdks_byte_for_byte(self):
        signer = Signer.generate()
        for tree in TREES:
            with self.subTest(size=len(tree["contentHashes"])):
                proofs = signer.sign_batch("acme-bank", tree["contentHashes"])
                self.assertEqual(base64.b64decode(proofs[0]["payload"]).decode(), tree["statement"])
                self.assertEqual([p["proof"] for p in proofs], tree["proofs"])
                self.assertEqual([p["index"] for p in proofs], list(range(len(proofs))))

    def test_the_envelope_verifies_with_the_public_key_over_dsse_pae(self):
        signer = Signer.generate()
        proof = signer.sign_batch("acme-bank", TREES[4]["contentHashes"])[0]
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer.public_key_base64))
        statement = base64.b64decode(proof["payload"])
        public.verify(base64.b64decode(proof["signatures"][0]["sig"]), pae(EMITTER_BATCH_PAYLOAD_TYPE, statement))
        self.assertEqual(proof["signatures"][0]["keyid"], signer.key_id)
        self.assertEqual(len(signer.key_id), 64)

    def test_record_mode_signs_the_records_bytes(self):
        signer = Signer.generate(mode="record")
        [signature] = signer.sign_record(b"\xc3\x01record")
        public = Ed25519PublicKey.from_public_bytes(signer.public_key_raw)
        public.verify(base64.b64decode(signature["sig"]), pae(EVIDENCE_PAYLOAD_TYPE, b"\xc3\x01record"))

    def test_pae_is_dsse_v1(self):
        self.assertEqual(pae("t", b"ab"), b"DSSEv1 1 t 2 ab")

    def test_a_batch_holds_at_most_128_records(self):
        signer = Signer.generate()
        with self.assertRaises(ProbityError):
            signer.sign_batch("acme-bank", ["00" * 32] * (MAX_EMITTER_BATCH + 1))


if __name__ == "__main__":
    unittest.main()
