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
info "test run took $(elapsed "$T_ALL") (vitest exit code $VITEST_RC)"
exit "$VITEST_RC"
