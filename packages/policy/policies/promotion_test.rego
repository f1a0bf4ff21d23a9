package gate_test

import rego.v1

import data.gate

good := {
	"schema": "probity.gate-input.v1",
	"tenant": "acme", "gate": "promotion", "run_id": "r1",
	"model": {"id": "m", "version": "1"},
	"stages": ["EVALUATION", "INGEST", "PROMOTION", "TRAINING"],
	"evaluations": [{"content_hash": "e1", "dataset_split": "test", "metrics": {"auc": 0.91}, "thresholds": {"auc": 0.85}, "passed_thresholds": true}],
	"approvals": [
		{"stage": "PROMOTION", "role": "risk-officer", "principal": "user:ann", "decision": "APPROVED", "at": "t", "emitter_signed": true, "content_hash": "p"},
		{"stage": "PROMOTION", "role": "ml-lead", "principal": "user:bob", "decision": "APPROVED", "at": "t", "emitter_signed": true, "content_hash": "p"},
	],
	"signatures": {"records": 4, "emitter_signed": 4},
	"datasets": [{"id": "loans", "sha256": "d1", "uri": "s3://b/l", "consent": true}],
	"drift": {"study_id": "drift-m", "verdict": "PASS", "occurred_at": "t", "content_hash": "s"},
	"calibration": null,
	"open_incidents": [],
	"evidence": ["e1", "p"],
}

test_allows_a_complete_run if {
	d := gate.decision with input as good
	d.allow
	d.reasons == []
}

test_denies_without_evaluation if {
	d := gate.decision with input as object.union(good, {"stages": ["TRAINING"], "evaluations": []})
	not d.allow
	"no EVALUATION stage evidence for the run" in d.reasons
}

test_denies_metric_below_threshold if {
	e := {"content_hash": "e1", "dataset_split": "test", "metrics": {"auc": 0.7}, "thresholds": {"auc": 0.85}, "passed_thresholds": true}
	d := gate.decision with input as object.union(good, {"evaluations": [e]})
	not d.allow
	"evaluation metric auc = 0.7 is below its threshold 0.85" in d.reasons
}

test_denies_one_approver_twice if {
	a := good.approvals[0]
	d := gate.decision with input as object.union(good, {"approvals": [a, object.union(a, {"stage": "DEPLOYMENT"})]})
	not d.allow
	count([r | some r in d.reasons; startswith(r, "approvals: 1 distinct")]) == 1
}

test_denies_approver_without_role if {
	a := object.union(good.approvals[1], {"role": "intern"})
	d := gate.decision with input as object.union(good, {"approvals": [good.approvals[0], a]})
	not d.allow
}

test_denies_open_critical_incident if {
	i := {"incident_id": "INC-1", "severity": "CRITICAL", "status": "OPEN", "serious": true, "occurred_at": "t", "content_hash": "i"}
	d := gate.decision with input as object.union(good, {"open_incidents": [i]})
	not d.allow
	"open CRITICAL incident INC-1" in d.reasons
}

test_allows_mitigated_or_minor_incident if {
	i := {"incident_id": "INC-2", "severity": "LOW", "status": "OPEN", "serious": false, "occurred_at": "t", "content_hash": "i"}
	d := gate.decision with input as object.union(good, {"open_incidents": [i]})
	d.allow
}

test_denies_critical_drift if {
	d := gate.decision with input as object.union(good, {"drift": {"study_id": "drift-m", "verdict": "CRITICAL", "occurred_at": "t", "content_hash": "s"}})
	not d.allow
	"latest drift study drift-m is CRITICAL" in d.reasons
}

test_denies_dataset_without_consent if {
	d := gate.decision with input as object.union(good, {"datasets": [{"id": "loans", "sha256": "d1", "uri": "u", "consent": null}]})
	not d.allow
	"dataset loans has no consent flag" in d.reasons
}

test_lists_every_reason if {
	d := gate.decision with input as object.union(good, {"approvals": [], "datasets": [], "drift": {"study_id": "x", "verdict": "CRITICAL", "occurred_at": "t", "content_hash": "s"}})
	count(d.reasons) == 3
}
