# Probity's default promotion gate. Entrypoint gate/decision answers
# {"allow": bool, "reasons": [string]}; input is a probity.gate-input.v1
# document (packages/policy/README.md). Every deny rule adds one reason.
package gate

import rego.v1

# Roles whose approvals count, and how many distinct principals must approve.
approver_roles := {"risk-officer", "model-risk-officer", "ml-lead", "model-owner", "compliance-officer", "qa-lead"}

min_approvers := 2

decision := {"allow": count(deny) == 0, "reasons": sort([r | some r in deny])}

deny contains "no EVALUATION stage evidence for the run" if {
	not "EVALUATION" in input.stages
}

deny contains "no evaluation metrics for the run" if {
	"EVALUATION" in input.stages
	count(input.evaluations) == 0
}

deny contains sprintf("evaluation %s did not pass its thresholds", [e.content_hash]) if {
	some e in input.evaluations
	not e.passed_thresholds
}

deny contains sprintf("evaluation metric %s = %v is below its threshold %v", [name, e.metrics[name], t]) if {
	some e in input.evaluations
	some name, t in e.thresholds
	e.metrics[name] < t
}

deny contains sprintf("evaluation metric %s has a threshold but no value", [name]) if {
	some e in input.evaluations
	some name, _ in e.thresholds
	not e.metrics[name]
}

approvers contains a.principal if {
	some a in input.approvals
	a.decision == "APPROVED"
	a.role in approver_roles
	a.principal != ""
}

deny contains sprintf("approvals: %d distinct approver(s) with a required role (%s), %d required", [count(approvers), concat(", ", sort([r | some r in approver_roles])), min_approvers]) if {
	count(approvers) < min_approvers
}

deny contains sprintf("approval by %s (%s) was rejected", [a.principal, a.role]) if {
	some a in input.approvals
	a.decision == "REJECTED"
}

deny contains sprintf("open CRITICAL incident %s", [i.incident_id]) if {
	some i in input.open_incidents
	i.severity == "CRITICAL"
	i.status == "OPEN"
}

deny contains sprintf("latest drift study %s is CRITICAL", [input.drift.study_id]) if {
	input.drift.verdict == "CRITICAL"
}

deny contains sprintf("dataset %s has no consent flag", [d.id]) if {
	some d in input.datasets
	d.consent == null
}

deny contains sprintf("dataset %s: consent withdrawn or refused", [d.id]) if {
	some d in input.datasets
	d.consent == false
}

deny contains "no dataset evidence for the run" if {
	count(input.datasets) == 0
}
