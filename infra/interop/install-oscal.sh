#!/usr/bin/env bash
# Installs compliance-trestle (an independent OSCAL implementation, pydantic
# models of the OSCAL schemas) into Probity's shared Python venv. Used by
# test/interop/oscal to validate the OSCAL documents of audit packages.
#
# Idempotent and cached: a second run finds trestle importable and downloads nothing.
set -euo pipefail

CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
VENV="$CACHE_DIR/venv"
LOCK="$CACHE_DIR/venv.lock"
PY="$VENV/bin/python"
REQUIREMENT="compliance-trestle==5.2.0"

log() { printf '[install-oscal] %s\n' "$*"; }

mkdir -p "$CACHE_DIR"

ready() {
  [ -x "$PY" ] && "$PY" - <<'PYEOF' >/dev/null 2>&1
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones
PYEOF
}

if ready; then
  log "compliance-trestle already in $VENV — nothing to do."
  exit 0
fi

# Several install scripts share this venv: serialise creation and pip runs.
exec 9>"$LOCK"
log "waiting for venv lock $LOCK"
flock 9

if [ ! -x "$PY" ]; then
  command -v python3 >/dev/null || { log "python3 not found on PATH: apt-get install python3 python3-venv"; exit 1; }
  log "creating venv $VENV with $(python3 --version)"
  python3 -m venv "$VENV"
fi

if ready; then
  log "installed by another script while waiting for the lock — nothing to do."
  exit 0
fi

log "installing $REQUIREMENT from PyPI into $VENV"
PIP_CACHE_DIR="$CACHE_DIR/pip" "$PY" -m pip install --disable-pip-version-check --quiet "$REQUIREMENT"
ready || { log "trestle still not importable from $PY after install"; exit 1; }
log "ready: compliance-trestle at $PY"
