#!/usr/bin/env bash
# Installs numpy + scipy into Probity's shared Python venv.
# Used by bench/stats (times SciPy beside @probity/stats) and by
# packages/stats/reference/generate.py (regenerates the SciPy reference values).
# Unit tests do NOT need this: they read the committed JSON.
#
# Idempotent and cached: a second run finds both packages importable and
# downloads nothing. pip's wheel cache lives under the Probity cache dir.
set -euo pipefail

CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
VENV="$CACHE_DIR/venv"
LOCK="$CACHE_DIR/venv.lock"
PY="$VENV/bin/python"
# Pinned minimums: SciPy >= 1.11 has the ks_2samp code paths the port follows.
REQUIREMENTS=("numpy>=1.26" "scipy>=1.11")

log() { printf '[install-stats] %s\n' "$*"; }

mkdir -p "$CACHE_DIR"

already_installed() {
  [ -x "$PY" ] && "$PY" - <<'PYEOF' >/dev/null 2>&1
import numpy, scipy.stats, scipy.spatial.distance
PYEOF
}

if already_installed; then
  log "numpy $("$PY" -c 'import numpy; print(numpy.__version__)') and scipy $("$PY" -c 'import scipy; print(scipy.__version__)') already in $VENV — nothing to do."
  exit 0
fi

# Several install scripts share this venv: serialise creation and pip runs.
exec 9>"$LOCK"
log "waiting for venv lock $LOCK"
flock 9

if [ ! -x "$PY" ]; then
  command -v python3 >/dev/null || { log "python3 not found on PATH"; exit 1; }
  log "creating venv $VENV with $(python3 --version)"
  python3 -m venv "$VENV"
fi

if already_installed; then
  log "installed by another script while waiting for the lock — nothing to do."
  exit 0
fi

log "installing ${REQUIREMENTS[*]} from PyPI into $VENV"
PIP_CACHE_DIR="$CACHE_DIR/pip" "$PY" -m pip install --disable-pip-version-check --quiet "${REQUIREMENTS[@]}"

already_installed || { log "numpy/scipy still not importable after install"; exit 1; }
log "ready: numpy $("$PY" -c 'import numpy; print(numpy.__version__)'), scipy $("$PY" -c 'import scipy; print(scipy.__version__)') at $PY"
