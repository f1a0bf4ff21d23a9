#!/usr/bin/env bash
# Local Redis for BullMQ: 127.0.0.1 only, noeviction, append-only file (jobs
# survive a restart).
#
#   bash infra/redis.sh start|stop|status|restart
#
# Data: $PROBITY_DATA_DIR/redis   Log: $PROBITY_DATA_DIR/logs/redis.log
# Port: $PROBITY_REDIS_PORT (16379)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_DIR="$PROBITY_DATA_DIR/redis"
CONFIG="$REDIS_DIR/redis.conf"
PID_FILE="$PROBITY_RUN_DIR/redis.pid"
LOG_FILE="$PROBITY_LOG_DIR/redis.log"
START_TIMEOUT_S="${PROBITY_REDIS_START_TIMEOUT_S:-30}"
STOP_TIMEOUT_S="${PROBITY_REDIS_STOP_TIMEOUT_S:-20}"

ping() { [ "$(redis-cli -h 127.0.0.1 -p "$PROBITY_REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

start() {
  ensure_dirs
  if pid_alive "$PID_FILE"; then
    ok "Redis already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PROBITY_REDIS_PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  command -v redis-server >/dev/null || die "redis-server is not installed" "bash infra/install.sh --no-interop (or apt-get install -y redis-server)"
  require_free_port "$PROBITY_REDIS_PORT" "Redis" PROBITY_REDIS_PORT
  local t0
  t0="$(now_ms)"
  step "starting Redis on 127.0.0.1:$PROBITY_REDIS_PORT (data $REDIS_DIR)"
  mkdir -p "$REDIS_DIR"
  sed -e "s|@REDIS_PORT@|$PROBITY_REDIS_PORT|g" \
      -e "s|@PID_FILE@|$PID_FILE|g" \
      -e "s|@LOG_FILE@|$LOG_FILE|g" \
      -e "s|@DATA_DIR@|$REDIS_DIR|g" \
      "$PROBITY_INFRA/config/redis/redis.conf.template" >"$CONFIG"
  if ! redis-server "$CONFIG" >>"$LOG_FILE" 2>&1; then
    log_tail "$LOG_FILE" 20
    die "redis-server refused to start (log above)" "read $LOG_FILE; a corrupt append-only file is repaired with redis-check-aof --fix '$REDIS_DIR/appendonlydir/'*.manifest"
  fi
  if ! wait_for "$START_TIMEOUT_S" "Redis to answer PING" ping; then
    log_tail "$LOG_FILE" 20
    stop_pidfile "$PID_FILE" Redis 5
    die "Redis did not answer PING on 127.0.0.1:$PROBITY_REDIS_PORT within $START_TIMEOUT_S s (log above)" "read $LOG_FILE"
  fi
  ok "Redis ready on 127.0.0.1:$PROBITY_REDIS_PORT (pid $(cat "$PID_FILE"), $(elapsed "$t0"))"
}

stop() {
  # SIGTERM makes Redis fsync the append-only file before it exits.
  stop_service Redis "$PID_FILE" "$STOP_TIMEOUT_S"
}

status() {
  service_status redis "$PID_FILE" "$PROBITY_REDIS_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) die "usage: bash infra/redis.sh start|stop|status|restart" "pass one of those commands" ;;
esac
