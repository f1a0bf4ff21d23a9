#!/usr/bin/env bash
# Starts local Kafka and Redis and creates the evidence topics. Idempotent.
# (`probity up` does this too, and then starts the local services.)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$PROBITY_INFRA/kafka.sh" start
bash "$PROBITY_INFRA/redis.sh" start
step "creating topics"
node "$PROBITY_REPO/bin/probity.mjs" topics >/dev/null ||
  die "creating the evidence topics failed (output above)" "check Kafka with: node bin/probity.mjs doctor"
ok "topics ready"
