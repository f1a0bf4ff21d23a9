#!/usr/bin/env bash
# The full test run (`npm test`): install what is missing (incl. the interop
# tools), start Kafka and Redis if they are not running, run both vitest
# projects, then stop what this script started — also on failure. Servers
# that were already running are left running. Exits with vitest's exit code
# and ends with a plain "N passed, N failed" line.
#
#   bash infra/test.sh [vitest args…]     e.g. bash infra/test.sh test/infra
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T_ALL="$(now_ms)"
STARTED=()

cleanup() {
  local rc=$?
  # Reverse order of starting.
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    bash "$PROBITY_INFRA/${STARTED[i]}.sh" stop || warn "stopping ${STARTED[i]} failed; stop it with: bash infra/${STARTED[i]}.sh stop"
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${PROBITY_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$PROBITY_INFRA/install.sh"
fi

for server in kafka redis; do
  if bash "$PROBITY_INFRA/$server.sh" status >/dev/null 2>&1; then
    info "$server already running: using it, and leaving it running"
  else
    # Record before starting, so a half-started server is stopped too.
    STARTED+=("$server")
    bash "$PROBITY_INFRA/$server.sh" start
  fi
done

ensure_dirs
RESULTS="$PROBITY_DATA_DIR/test-results/vitest-last-run.json"
mkdir -p "$(dirname "$RESULTS")"
rm -f "$RESULTS"

# The code's shape (full runs only): types, and the import graph's layering
# rules (.dependency-cruiser.cjs). A failure fails the run, after the tests.
SHAPE_RC=0
if [ "$#" -eq 0 ]; then
  step "shape: type check and layering (npm run shape)"
  T_SHAPE="$(now_ms)"
  if (cd "$PROBITY_REPO" && npm run --silent shape) </dev/null; then
    ok "types and layering hold ($(elapsed "$T_SHAPE"))"
  else
    SHAPE_RC=1
    warn "npm run shape failed (output above): fix the type errors or the layering violation it names"
  fi
fi

step "vitest run (unit + integration)"
VITEST_RC=0
(cd "$PROBITY_REPO" && npx vitest run --reporter=default --reporter=json --outputFile.json="$RESULTS" "$@") </dev/null || VITEST_RC=$?

if [ -s "$RESULTS" ]; then
  # The plain closing line CI reads, from vitest's own JSON result.
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A file that fails outside any test (import error, failing beforeAll) is
    // a failure too, though vitest counts its tests as skipped or none.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
    ).length;
    let line = `${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed`;
    if (skipped > 0) line += `, ${skipped} skipped`;
    console.log(line);
  ' "$RESULTS"
else
  warn "vitest wrote no result file ($RESULTS): it stopped before finishing, exit code $VITEST_RC (output above)"
  echo "0 passed, 1 failed"
  [ "$VITEST_RC" -ne 0 ] || VITEST_RC=1
fi
info "test run took $(elapsed "$T_ALL") (vitest exit code $VITEST_RC, shape check exit code $SHAPE_RC)"
if [ "$VITEST_RC" -eq 0 ] && [ "$SHAPE_RC" -ne 0 ]; then exit "$SHAPE_RC"; fi
exit "$VITEST_RC"
