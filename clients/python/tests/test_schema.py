import copy
import datetime as dt
import json
import unittest
from pathlib import Path

from probity import RECORD_TYPES, ValidationError, encode_record
from probity.schema import format_iso_micros, js_key_order, parse_iso_micros, schema_for

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = json.loads((FIXTURES / "golden.json").read_text("utf-8"))
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def example(name: str) -> dict:
    return copy.deepcopy(next(c["json"] for c in GOLDEN if c["name"] == name))


def issues_of(record_type: str, record: dict) -> dict[str, str]:
    with self_raises() as caught:
        encode_record(record_type, record, now=NOW)
    return {i.path: i.message for i in caught.exception.issues}


class self_raises:
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if not isinstance(exc, ValidationError):
            raise AssertionError(f"expected ValidationError, got {exc!r}")
        self.exception = exc
        return True


class GoldenBytes(unittest.TestCase):
    def test_every_case_encodes_to_the_gateways_bytes(self):
        self.assertGreaterEqual(len(GOLDEN), 10)
        for case in GOLDEN:
            with self.subTest(case=case["name"]):
                encoded = encode_record(case["type"], case["json"], now=NOW)
                self.assertEqual(encoded.single_object.hex(), case["hex"])
                self.assertEqual(encoded.content_hash, case["contentHash"])

    def test_the_json_form_sent_encodes_to_the_same_bytes(self):
        for case in GOLDEN:
            with self.subTest(case=case["name"]):
                encoded = encode_record(case["type"], case["json"], now=NOW)
                again = encode_record(case["type"], json.loads(json.dumps(encoded.json)), now=NOW)
                self.assertEqual(again.single_object, encoded.single_object)

    def test_every_record_type_has_a_golden_case(self):
        self.assertEqual({c["type"] for c in GOLDEN}, set(RECORD_TYPES))

    def test_bundled_schemas_are_the_repositorys_current_versions(self):
        if not REPO_SCHEMAS.is_dir():
            self.skipTest("not in the repository")
        self.assertEqual(set(RECORD_TYPES), {p.name.split(".v")[0] for p in REPO_SCHEMAS.glob("*.avsc")})
        for record_type in RECORD_TYPES:
            versions = sorted(int(p.name.split(".v")[1].split(".")[0]) for p in REPO_SCHEMAS.glob(f"{record_type}.v*.avsc"))
            schema = schema_for(record_type)
            self.assertEqual(schema.version, versions[-1], record_type)
            bundled = Path(__file__).resolve().parents[1] / "probity" / "schemas" / f"{record_type}.v{schema.version}.avsc"
            self.assertEqual(bundled.read_bytes(), (REPO_SCHEMAS / bundled.name).read_bytes(), record_type)


class Validation(unittest.TestCase):
    def test_structural_issues_name_their_fields(self):
        record = example("training")
        record["stage"] = "SHIPPING"
        record["run_id"] = 7
        del record["principal"]
        record["inputs"][0]["size_bytes"] = "big"
        record["details"]["training"]["seed"] = "x"
        record["colour"] = "blue"
        found = issues_of("EvidenceManifest", record)
        self.assertEqual(set(found), {"stage", "run_id", "principal", "inputs[0].size_bytes", "details.training.seed", "colour"})

    def test_the_notarys_rules_apply_per_record_type(self):
        cases = {
            "EvidenceManifest": ("training", {"tenant": "Acme Bank", "commit_sha": "abc", "controls": ["iso42001"]}, {"tenant", "commit_sha", "controls[0]"}),
            "InferenceRecord": ("InferenceRecord", {"latency_ms": -1, "occurred_at": "1999-12-31T23:59:59Z"}, {"latency_ms", "occurred_at"}),
            "StudyResult": ("StudyResult", {"finished_at": "2025-03-09T01:00:00Z"}, {"finished_at"}),
            "Incident": ("Incident", {"severity": "UNKNOWN", "incident_id": "  "}, {"severity", "incident_id"}),
            "OversightEvent": ("OversightEvent", {"occurred_at": "2026-01-03T00:00:00Z"}, {"occurred_at"}),
            "ApplicabilityStatement": ("ApplicabilityStatement", {"statement_id": " ", "implementation": "UNKNOWN"}, {"statement_id", "implementation"}),
            "LegalHold": ("LegalHold", {"scope": "unknown", "hold_id": "", "period_from": "2025-05-02T00:00:00Z", "period_to": "2025-05-01T00:00:00Z"}, {"scope", "hold_id"}),
            "PolicyVersion": ("PolicyVersion", {"tenant": "Acme Bank", "controls": ["iso42001"]}, {"tenant", "controls[0]"}),
            "PolicyDecision": ("PolicyDecision", {"tenant": "Acme Bank", "controls": ["iso42001"]}, {"tenant", "controls[0]"}),
        }
        self.assertEqual(set(cases), set(RECORD_TYPES))
        for record_type, (name, changes, paths) in cases.items():
            with self.subTest(record_type=record_type):
                record = example(name)
                record.update(changes)
                self.assertEqual(set(issues_of(record_type, record)), paths)

    def test_nested_sha256_and_p_value(self):
        record = example("StudyResult")
        record["inputs"][0]["sha256"] = "A" * 64
        record["results"][0]["p_value"] = 1.5
        self.assertEqual(set(issues_of("StudyResult", record)), {"inputs[0].sha256", "results[0].p_value"})

    def test_python_values_are_taken(self):
        record = example("training")
        record["occurred_at"] = dt.datetime(2025, 3, 1, 12, 0, 0, 1, tzinfo=dt.timezone.utc)
        record["stage"] = "training"
        encoded = encode_record("EvidenceManifest", record, now=NOW)
        self.assertEqual(encoded.json["occurred_at"], "2025-03-01T12:00:00.000001Z")
        self.assertEqual(encoded.json["stage"], "TRAINING")
        record["occurred_at"] = dt.datetime(2025, 3, 1, 12, 0, 0)
        self.assertIn("occurred_at", issues_of("EvidenceManifest", record))

    def test_unknown_record_type(self):
        with self.assertRaises(ValidationError):
            encode_record("Memo", {})


class Helpers(unittest.TestCase):
    def test_iso_round_trip(self):
        micros = parse_iso_micros("2025-03-01T13:00:00.123456+01:00")
        self.assertEqual(micros, parse_iso_micros("2025-03-01T12:00:00.123456Z"))
        self.assertEqual(parse_iso_micros(format_iso_micros(micros)), micros)
        self.assertIsInstance(parse_iso_micros("2025-02-30T00:00:00Z"), str)
        self.assertIsInstance(parse_iso_micros("2025-03-01T00:00:00.0000001Z"), str)

    def test_map_keys_in_the_order_javascript_writes_them(self):
        self.assertEqual(js_key_order(["b", "10", "a", "2", "01", "\uff5e", "\U0001f600"]), ["2", "10", "01", "a", "b", "\U0001f600", "\uff5e"])


if __name__ == "__main__":
    unittest.main()
