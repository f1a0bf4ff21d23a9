#!/usr/bin/env bash
# Stops the local services (if `probity up` started them), Kafka and Redis.
# Data under $PROBITY_DATA_DIR is kept.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if pid_alive "$PROBITY_RUN_DIR/services.pid"; then
  step "stopping services (pid $(cat "$PROBITY_RUN_DIR/services.pid"))"
  stop_pidfile "$PROBITY_RUN_DIR/services.pid" services 30
  ok "services stopped"
fi
bash "$PROBITY_INFRA/kafka.sh" stop
bash "$PROBITY_INFRA/redis.sh" stop
