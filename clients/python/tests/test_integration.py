"""Against a real gateway, broker and notary, started by test/clients/python-client.test.ts (``npm test``).

Skipped when run alone (no ``PROBITY_IT_GATEWAY``); the TypeScript test counts the tests run and
refuses skips. Each test writes the content hashes it had acknowledged to ``PROBITY_IT_OUT`` so the
TypeScript side can check them on the notary's signed topic.
"""

import copy
import json
import os
import socket
import tempfile
import unittest
from pathlib import Path

import probity
from probity import Client, GatewayError, Signer

ENV = os.environ
GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "golden.json").read_text("utf-8"))
TRAINING = next(c["json"] for c in GOLDEN if c["name"] == "training")


def manifest(tenant: str, i: int) -> dict:
    record = copy.deepcopy(TRAINING)
    record.update(tenant=tenant, run_id=f"py-{i}", manifest_id=str(__import__("uuid").uuid4()))
    return record


def report(name: str, hashes: list[str]) -> None:
    out = Path(ENV["PROBITY_IT_OUT"])
    data = json.loads(out.read_text()) if out.exists() else {}
    data[name] = hashes
    out.write_text(json.dumps(data))


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@unittest.skipUnless(ENV.get("PROBITY_IT_GATEWAY"), "needs the gateway the TypeScript integration test starts")
class AgainstTheGateway(unittest.TestCase):
    def test_signed_batch_the_gateway_encodes_to_the_signed_bytes(self):
        signer = Signer.from_pem(Path(ENV["PROBITY_IT_KEY_PEM"]))
        with Client(ENV["PROBITY_IT_GATEWAY"], ENV["PROBITY_IT_SIGNED_TOKEN"], signer=signer, batch_size=200) as client:
            local = [client.emit(manifest("pysigned", i)) for i in range(150)]  # two signed trees: 128 + 22
            result = client.flush()
        self.assertEqual(result.sent, 150)
        self.assertEqual(result.content_hashes, local)
        report("signedBatch", local)

    def test_signed_per_record(self):
        signer = Signer.from_pem(Path(ENV["PROBITY_IT_KEY_PEM"]), mode="record")
        with Client(ENV["PROBITY_IT_GATEWAY"], ENV["PROBITY_IT_SIGNED_TOKEN"], signer=signer) as client:
            local = [client.emit(manifest("pysigned", 1000 + i)) for i in range(3)]
            self.assertEqual(client.flush().content_hashes, local)
        report("signedRecord", local)

    def test_outage_spools_then_replays_in_order(self):
        with tempfile.TemporaryDirectory() as tmp:
            spool = str(Path(tmp) / "spool")
            token = ENV["PROBITY_IT_PLAIN_TOKEN"]
            # Gateway unreachable: nothing listens.
            with Client(dead_url(), token, spool_dir=spool, retries=1, backoff_initial=0.05) as down:
                first = [down.emit(manifest("pyplain", 2000 + i)) for i in range(3)]
                self.assertEqual(down.flush().spooled, 3)
            # Gateway up, its broker down: 503 with Retry-After, and the client keeps spooling.
            with Client(ENV["PROBITY_IT_BROKERLESS_GATEWAY"], token, spool_dir=spool, retries=1, backoff_initial=0.05, backoff_max=1.5) as unavailable:
                second = [unavailable.emit(manifest("pyplain", 3000 + i)) for i in range(2)]
                self.assertEqual(unavailable.flush().spooled, 2)
            self.assertEqual(len(list(Path(spool).glob("*.batch.json"))), 2)
            with Client(ENV["PROBITY_IT_GATEWAY"], token, spool_dir=spool) as up:
                last = up.emit(manifest("pyplain", 4000))
                result = up.flush()
            self.assertEqual((result.replayed, result.sent), (5, 1))
            self.assertEqual(result.content_hashes, first + second + [last])
            self.assertEqual(list(Path(spool).glob("*.batch.json")), [])
        report("replayed", first + second + [last])

    def test_stage_context_manager(self):
        client = Client(ENV["PROBITY_IT_GATEWAY"], ENV["PROBITY_IT_PLAIN_TOKEN"])
        with self.assertRaises(RuntimeError):
            with probity.stage("TRAINING", tenant="pyplain", run_id="py-stage", model_id="credit-risk", client=client, principal={"kind": "SERVICE", "id": "svc:py"}) as stage:
                stage.add_output("model", "MODEL", "cd" * 32, uri="s3://bucket/model.onnx")
                raise RuntimeError("training diverged")
        client.close()
        report("stage", [stage.content_hash])

    def test_the_gateway_refuses_another_tenants_record_with_its_code(self):
        with Client(ENV["PROBITY_IT_GATEWAY"], ENV["PROBITY_IT_PLAIN_TOKEN"]) as client:
            client.emit(manifest("pysigned", 9))
            with self.assertRaises(GatewayError) as caught:
                client.flush()
            client._queue.clear()
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "TENANT_MISMATCH"))


if __name__ == "__main__":
    unittest.main()
