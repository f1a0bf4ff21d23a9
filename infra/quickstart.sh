#!/usr/bin/env bash
# From a fresh clone to a running Probity: install, start, check, demo.
#   npm run quickstart   (or: bash infra/quickstart.sh)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

probity() { node "$PROBITY_REPO/bin/probity.mjs" "$@"; }

step "1/4 installing what is missing (Node modules, Kafka jars, redis-server)"
bash "$PROBITY_INFRA/install.sh" --no-interop

step "2/4 probity up: Kafka, Redis, topics, services"
probity up || die "probity up failed (cause above)" "fix the cause it printed, then rerun: npm run quickstart"

step "3/4 probity doctor"
probity doctor || die "some components are not healthy (see the ✗ lines above)" "follow the fix on each ✗ line, then rerun: npm run quickstart"

step "4/4 probity demo: a pipeline's evidence through the stack, drift and calibration studies on it, then an audit of it"
probity demo || die "the demo failed (cause above)" "run node bin/probity.mjs doctor, then node bin/probity.mjs demo"
ok "Probity is running. Stop it with: node bin/probity.mjs down (or bash infra/down.sh)"
