"""The client's retries, spool and stage context against a small local HTTP server that answers like the gateway."""

import copy
import json
import socket
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import probity
from probity import Client, GatewayError, Signer, SpoolError, ValidationError

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "golden.json").read_text("utf-8"))
TRAINING = next(c["json"] for c in GOLDEN if c["name"] == "training")


def manifest(i: int) -> dict:
    record = copy.deepcopy(TRAINING)
    record["run_id"] = f"run-{i}"
    return record


class FakeGateway:
    """Answers from a script of (status, headers) — 202 when the script is empty — and records request bodies."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], dict]] = []
        self.bodies: list[dict] = []
        self.bogus_hashes = False  # answer hashes of other bytes, as a gateway of another schema version would
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                status, headers, answer = gateway.script.pop(0) if gateway.script else (202, {}, None)
                if status == 202:
                    gateway.bodies.append(body)
                    hashes = [f"hash-{len(gateway.bodies)}-{i}" if gateway.bogus_hashes else probity.encode_record(body["type"], r).content_hash for i, r in enumerate(body["records"])]
                    answer = {"results": [{"index": i, "contentHash": h, "durable": "kafka"} for i, h in enumerate(hashes)]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class ClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.gateway = FakeGateway()
        self.sleeps: list[float] = []
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.gateway.close()
        self.tmp.cleanup()

    def client(self, url: str | None = None, **options) -> Client:
        return Client(url or self.gateway.url, "token", sleep=self.sleeps.append, **options)

    def test_batches_by_size_and_flushes_the_rest(self):
        with self.client(batch_size=3) as client:
            hashes = [client.emit(manifest(i)) for i in range(7)]
            self.assertEqual([len(b["records"]) for b in self.gateway.bodies], [3, 3])
        self.assertEqual([len(b["records"]) for b in self.gateway.bodies], [3, 3, 1])
        self.assertEqual(len(set(hashes)), 7)
        self.assertEqual(self.gateway.bodies[0]["type"], "EvidenceManifest")

    def test_warns_when_the_gateway_logs_other_hashes_than_emit_returned(self):
        self.gateway.bogus_hashes = True
        with self.client() as client:
            client.emit(manifest(0))
            with self.assertLogs("probity", "WARNING") as logs:
                result = client.flush()
        self.assertEqual(result.content_hashes, ["hash-1-0"])
        self.assertIn("differ", logs.output[0])

    def test_retries_503_with_backoff_and_honours_retry_after(self):
        self.gateway.script = [(503, {"retry-after": "3"}, {"error": {"code": "UNAVAILABLE"}}), (503, {}, {"error": {"code": "UNAVAILABLE"}})]
        client = self.client(backoff_initial=0.1, backoff_max=10)
        client.emit(manifest(0))
        result = client.flush()
        self.assertEqual(result.sent, 1)
        self.assertEqual(len(self.sleeps), 2)
        self.assertGreaterEqual(self.sleeps[0], 1.5)  # Retry-After 3 s, with jitter down to half
        client.close()

    def test_a_4xx_is_final_and_carries_the_gateways_issues(self):
        self.gateway.script = [(403, {}, {"error": {"code": "TENANT_MISMATCH", "message": "no", "issues": [{"index": 0, "path": "tenant", "message": "x"}]}})]
        client = self.client()
        client.emit(manifest(0))
        with self.assertRaises(GatewayError) as caught:
            client.flush()
        self.assertEqual((caught.exception.code, caught.exception.status), ("TENANT_MISMATCH", 403))
        self.assertEqual(self.sleeps, [])

    def test_validation_fails_before_sending(self):
        client = self.client()
        with self.assertRaises(ValidationError) as caught:
            client.emit({**manifest(0), "stage": "SHIPPING"})
        self.assertEqual([i.path for i in caught.exception.issues], ["stage"])
        client.close()
        self.assertEqual(self.gateway.bodies, [])

    def test_without_a_spool_an_outage_raises_and_keeps_the_records_queued(self):
        client = self.client(dead_url(), retries=1)
        client.emit(manifest(0))
        with self.assertRaises(GatewayError) as caught:
            client.flush()
        self.assertEqual(caught.exception.code, "UNAVAILABLE")
        self.assertTrue(caught.exception.retriable)
        self.assertEqual(len(client._queue), 1)

    def test_spools_during_an_outage_and_replays_in_order_before_new_records(self):
        spool = str(Path(self.tmp.name) / "spool")
        down = self.client(dead_url(), spool_dir=spool, retries=1, batch_size=2)
        for i in range(5):
            down.emit(manifest(i))
        down.close()
        self.assertEqual(len(list(Path(spool).glob("*.batch.json"))), 3)

        with self.client(spool_dir=spool, batch_size=2) as up:
            up.emit(manifest(99))
            result = up.flush()
        self.assertEqual((result.replayed, result.sent, result.spooled), (5, 1, 0))
        self.assertEqual([r["run_id"] for b in self.gateway.bodies for r in b["records"]], ["run-0", "run-1", "run-2", "run-3", "run-4", "run-99"])
        self.assertEqual(list(Path(spool).glob("*.batch.json")), [])

    def test_the_spool_is_bounded(self):
        spool = str(Path(self.tmp.name) / "spool")
        client = self.client(dead_url(), spool_dir=spool, retries=0, batch_size=1, spool_max_batches=2)
        for i in range(2):
            client.emit(manifest(i))
        client._queue.append(probity.encode_record("EvidenceManifest", manifest(2)))  # queued, not yet flushed
        with self.assertRaises(SpoolError) as caught:
            client.flush()
        self.assertEqual(caught.exception.code, "SPOOL_FULL")
        self.assertEqual(len(client._queue), 1)  # not spooled, not dropped
        self.assertEqual(len(list(Path(spool).glob("*.batch.json"))), 2)
        with self.assertRaises(SpoolError):
            client.close()

    def test_one_spool_per_process(self):
        spool = str(Path(self.tmp.name) / "spool")
        first = self.client(spool_dir=spool)
        with self.assertRaises(SpoolError) as caught:
            self.client(spool_dir=spool)
        self.assertEqual(caught.exception.code, "SPOOL_LOCKED")
        first.close()

    def test_signed_batches_carry_one_signature_per_record(self):
        with self.client(signer=Signer.generate()) as client:
            hashes = [client.emit(manifest(i)) for i in range(3)]
        [body] = self.gateway.bodies
        self.assertEqual([s["contentHash"] for s in body["signatures"]], hashes)
        self.assertEqual(len({s["emitterBatch"]["payload"] for s in body["signatures"]}), 1)


class StageTests(unittest.TestCase):
    def setUp(self) -> None:
        self.gateway = FakeGateway()
        self.client = Client(self.gateway.url, "token")

    def tearDown(self) -> None:
        self.client.close()
        self.gateway.close()

    def stage(self, **options):
        return probity.stage("TRAINING", tenant="acme-bank", run_id="run-7", model_id="credit-risk", client=self.client, principal={"kind": "SERVICE", "id": "svc:test"}, **options)

    def test_emits_a_success_manifest_at_exit(self):
        with self.stage(controls=["iso42001:A.6.2.4"]) as s:
            s.add_output("model", "MODEL", "ab" * 32, uri="s3://m")
        [body] = self.gateway.bodies
        [record] = body["records"]
        self.assertEqual((record["stage"], record["run_id"], record["labels"]["outcome"]), ("TRAINING", "run-7", "success"))
        self.assertEqual(record["outputs"][0]["sha256"], "ab" * 32)
        self.assertIsNotNone(s.content_hash)

    def test_emits_a_failure_manifest_and_lets_the_exception_through(self):
        with self.assertRaises(ZeroDivisionError):
            with self.stage():
                1 / 0
        record = self.gateway.bodies[0]["records"][0]
        self.assertEqual((record["labels"]["outcome"], record["labels"]["error"]), ("failure", "ZeroDivisionError"))

    def test_a_bad_argument_fails_on_entry(self):
        with self.assertRaises(ValidationError):
            with probity.stage("SHIPPING", tenant="acme-bank", run_id="r", client=self.client):
                self.fail("the body must not run")


if __name__ == "__main__":
    unittest.main()
