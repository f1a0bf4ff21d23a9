"""Validates OSCAL JSON documents with compliance-trestle (pydantic models of the OSCAL schemas).

Reads {"documents": [{"kind": "assessment-results" | "plan-of-action-and-milestones", "document": {...}}]}
on stdin; writes {"results": [{"ok": true} | {"ok": false, "error": "..."}]} on stdout.
"""
import json
import sys

import trestle
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones

MODELS = {"assessment-results": AssessmentResults, "plan-of-action-and-milestones": PlanOfActionAndMilestones}

request = json.load(sys.stdin)
results = []
for item in request["documents"]:
    kind = item["kind"]
    try:
        model = MODELS[kind]
        document = item["document"]
        if list(document.keys()) != [kind]:
            raise ValueError(f"the document's only key must be {kind!r}, found {list(document.keys())}")
        model.parse_obj(document[kind])
        results.append({"ok": True})
    except Exception as err:  # ValidationError and shape errors alike: the test wants the message
        results.append({"ok": False, "error": f"{type(err).__name__}: {str(err)[:2000]}"})
json.dump({"results": results, "trestle": trestle.__version__}, sys.stdout)
