#!/usr/bin/env bash
# Local single-node Kafka (KRaft) from the Maven Central jars that
# infra/install.sh caches, on the machine's Java 17.
#
#   bash infra/kafka.sh start|stop|status|restart
#
# Data: $PROBITY_DATA_DIR/kafka   Log: $PROBITY_DATA_DIR/logs/kafka.log
# Port: $PROBITY_KAFKA_PORT (19092), controller $PROBITY_KAFKA_CONTROLLER_PORT (19093)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_DIR="$PROBITY_DATA_DIR/kafka"
CONFIG="$KAFKA_DIR/server.properties"
CLUSTER_ID_FILE="$KAFKA_DIR/cluster-id"
PID_FILE="$PROBITY_RUN_DIR/kafka.pid"
LOG_FILE="$PROBITY_LOG_DIR/kafka.log"
OUT_FILE="$PROBITY_LOG_DIR/kafka.out"
START_TIMEOUT_S="${PROBITY_KAFKA_START_TIMEOUT_S:-90}"
STOP_TIMEOUT_S="${PROBITY_KAFKA_STOP_TIMEOUT_S:-30}"

require_installed() {
  require_java17
  if ! compgen -G "$PROBITY_KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
    die "Kafka $PROBITY_KAFKA_VERSION jars are not in $PROBITY_KAFKA_LIBS" "bash infra/install.sh --no-interop"
  fi
  if [ ! -d "$PROBITY_REPO/node_modules/kafkajs" ]; then
    die "node_modules is missing (the readiness check uses @probity/kafka)" "bash infra/install.sh --no-interop"
  fi
}

render_config() {
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/metadata"
  sed -e "s|@KAFKA_PORT@|$PROBITY_KAFKA_PORT|g" \
      -e "s|@CONTROLLER_PORT@|$PROBITY_KAFKA_CONTROLLER_PORT|g" \
      -e "s|@LOG_DIRS@|$KAFKA_DIR/data|g" \
      -e "s|@METADATA_DIR@|$KAFKA_DIR/metadata|g" \
      "$PROBITY_INFRA/config/kafka/server.properties.template" >"$CONFIG"
}

java_cmd() {
  # The classpath is quoted so the JVM, not the shell, expands libs/*.
  printf '%s\n' java "-Xms$PROBITY_KAFKA_HEAP" "-Xmx$PROBITY_KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$PROBITY_INFRA/config/kafka/log4j2.xml" \
    "-Dkafka.logs.dir=$PROBITY_LOG_DIR" \
    -cp "$PROBITY_KAFKA_LIBS/*"
}

format_storage() {
  if [ ! -s "$CLUSTER_ID_FILE" ]; then
    # A KRaft cluster id is 16 random bytes, base64url without padding. One starting
    # with '-' would be read as an option by the storage tool, so draw again.
    local id="-"
    while [ "${id:0:1}" = "-" ]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
    printf '%s' "$id" >"$CLUSTER_ID_FILE"
  fi
  local cmd
  mapfile -t cmd < <(java_cmd)
  if ! "${cmd[@]}" kafka.tools.StorageTool format --cluster-id="$(cat "$CLUSTER_ID_FILE")" -c "$CONFIG" --ignore-formatted \
    >"$KAFKA_DIR/format.out" 2>&1; then
    cat "$KAFKA_DIR/format.out" >&2
    die "formatting the Kafka storage in $KAFKA_DIR failed (output above)" \
      "if the data dir came from another cluster or version, remove it: rm -rf '$KAFKA_DIR' (this deletes local topics)"
  fi
}

broker_ready() {
  # A real request (DescribeCluster through @probity/kafka), not just an open port.
  node --import tsx "$PROBITY_REPO/packages/cli/src/wait-ready.ts" kafka "$@"
}

start() {
  ensure_dirs
  if pid_alive "$PID_FILE"; then
    ok "Kafka already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PROBITY_KAFKA_PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  require_installed
  require_free_port "$PROBITY_KAFKA_PORT" "Kafka" PROBITY_KAFKA_PORT
  require_free_port "$PROBITY_KAFKA_CONTROLLER_PORT" "the Kafka controller" PROBITY_KAFKA_CONTROLLER_PORT
  local t0
  t0="$(now_ms)"
  step "starting Kafka $PROBITY_KAFKA_VERSION on 127.0.0.1:$PROBITY_KAFKA_PORT (data $KAFKA_DIR)"
  render_config
  format_storage
  local cmd
  mapfile -t cmd < <(java_cmd)
  # setsid + nohup: the broker outlives this script and the terminal; the
  # inner shell writes its own pid (which exec hands to java) to the pid file.
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "${cmd[@]}" kafka.Kafka "$CONFIG" \
    >"$OUT_FILE" 2>&1 </dev/null &
  wait_for 5 "the Kafka pid file" test -s "$PID_FILE" || true
  if ! broker_ready --timeout-ms "$((START_TIMEOUT_S * 1000))" --pid "$(cat "$PID_FILE" 2>/dev/null || echo 0)"; then
    log_tail "$LOG_FILE" 40
    log_tail "$OUT_FILE" 15
    stop_pidfile "$PID_FILE" Kafka 10
    die "Kafka did not become ready on 127.0.0.1:$PROBITY_KAFKA_PORT (waited up to $START_TIMEOUT_S s; log above)" \
      "read $LOG_FILE; a port clash or a data dir from another cluster id are the usual causes (rm -rf '$KAFKA_DIR' resets it)"
  fi
  ok "Kafka ready on 127.0.0.1:$PROBITY_KAFKA_PORT (pid $(cat "$PID_FILE"), $(elapsed "$t0"))"
}

stop() {
  stop_service Kafka "$PID_FILE" "$STOP_TIMEOUT_S"
}

status() {
  service_status kafka "$PID_FILE" "$PROBITY_KAFKA_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) die "usage: bash infra/kafka.sh start|stop|status|restart" "pass one of those commands" ;;
esac
