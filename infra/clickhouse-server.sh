#!/usr/bin/env bash
# Runs Debian's old clickhouse-server (18.16) as a plain local process for the
# server adapter's plumbing smoke test: loopback only, a non-default HTTP port,
# data and logs under ${PROBITY_DATA_DIR:-<repo>/.data}/clickhouse-server.
#   infra/clickhouse-server.sh start|stop|status
# Install first with infra/interop/install-clickhouse-server.sh.
# Env: CLICKHOUSE_SERVER_HTTP_PORT (default 18123), CLICKHOUSE_SERVER_TCP_PORT (default 19000).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${PROBITY_DATA_DIR:-$REPO/.data}/clickhouse-server"
HTTP_PORT="${CLICKHOUSE_SERVER_HTTP_PORT:-18123}"
TCP_PORT="${CLICKHOUSE_SERVER_TCP_PORT:-19000}"
PID_FILE="$DATA_DIR/clickhouse-server.pid"
CONFIG="$DATA_DIR/config.xml"
BIN="$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)"

# The pid file holds the server's process group id (see start).
is_running() {
  [ -s "$PID_FILE" ] && kill -0 -- "-$(cat "$PID_FILE")" 2>/dev/null
}

is_ready() {
  [ "$(curl -s --max-time 2 "http://127.0.0.1:$HTTP_PORT/ping" || true)" = "Ok." ]
}

write_config() {
  mkdir -p "$DATA_DIR/data" "$DATA_DIR/tmp" "$DATA_DIR/user_files" "$DATA_DIR/log" "$DATA_DIR/format_schemas"
  # A config of our own: the packaged one listens on the default ports and
  # writes under /var; this one touches nothing outside DATA_DIR.
  cat >"$CONFIG" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$DATA_DIR/log/clickhouse-server.log</log>
    <errorlog>$DATA_DIR/log/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>2</count>
  </logger>
  <http_port>$HTTP_PORT</http_port>
  <tcp_port>$TCP_PORT</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$DATA_DIR/data/</path>
  <tmp_path>$DATA_DIR/tmp/</tmp_path>
  <user_files_path>$DATA_DIR/user_files/</user_files_path>
  <format_schema_path>$DATA_DIR/format_schemas/</format_schema_path>
  <users_config>$DATA_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
  cat >"$DATA_DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

start() {
  if ! is_running && is_ready; then
    echo "port $HTTP_PORT already answers /ping but not from our pid file ($PID_FILE): another clickhouse-server? stop it or set CLICKHOUSE_SERVER_HTTP_PORT" >&2
    exit 1
  fi
  if is_running && is_ready; then
    echo "clickhouse-server already running (pid $(cat "$PID_FILE")) on http://127.0.0.1:$HTTP_PORT"
    return 0
  fi
  if [ ! -x "$BIN" ]; then
    echo "clickhouse-server not installed: run infra/interop/install-clickhouse-server.sh" >&2
    exit 1
  fi
  write_config
  # Not --daemon. setsid gives the server its own process group, and the
  # shell inside writes its own pid (the group id) before exec'ing the server:
  # the binary forks (a watchdog parent and the server child), and stopping
  # only one of them left the other listening on the port.
  rm -f "$PID_FILE"
  # The redirections cover every process on the way, so none keeps the
  # caller's stdout open (a test runner waits for that pipe to close).
  (cd "$DATA_DIR" && exec setsid -f bash -c 'echo $$ >"$1"; exec "$2" --config-file="$3"' _ "$PID_FILE" "$BIN" "$CONFIG") \
    >"$DATA_DIR/log/stdout.log" 2>&1 </dev/null
  for _ in $(seq 1 50); do [ -s "$PID_FILE" ] && break; sleep 0.1; done
  for _ in $(seq 1 100); do
    if is_ready; then
      echo "clickhouse-server started (pid $(cat "$PID_FILE")) on http://127.0.0.1:$HTTP_PORT"
      return 0
    fi
    if ! is_running; then
      echo "clickhouse-server exited during start; last log lines:" >&2
      tail -n 20 "$DATA_DIR/log/stdout.log" "$DATA_DIR/log/clickhouse-server.err.log" 2>/dev/null >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  echo "clickhouse-server did not answer /ping within 20 s" >&2
  exit 1
}

stop() {
  if ! is_running; then
    echo "clickhouse-server not running"
    rm -f "$PID_FILE"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    if ! kill -0 -- "-$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "clickhouse-server stopped"
      return 0
    fi
    sleep 0.2
  done
  echo "clickhouse-server (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

status() {
  if is_running && is_ready; then
    echo "running (pid $(cat "$PID_FILE")) http://127.0.0.1:$HTTP_PORT"
  else
    echo "stopped"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
