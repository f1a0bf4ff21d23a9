# shellcheck shell=bash
# Shared helpers for the infra/ scripts. Source it; it does not run anything.
#
# Every setting can be overridden from the environment, so a second stack
# (e.g. a CI dry run beside a developer's instance) can run on other ports and
# another data dir:
#   PROBITY_DATA_DIR               <repo>/.data
#   PROBITY_CACHE_DIR              $HOME/.cache/probity
#   PROBITY_KAFKA_PORT             19092
#   PROBITY_KAFKA_CONTROLLER_PORT  19093
#   PROBITY_REDIS_PORT             16379
#   PROBITY_KAFKA_VERSION          4.4.0
#   PROBITY_KAFKA_HEAP             512m

PROBITY_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROBITY_INFRA="$PROBITY_REPO/infra"
export PROBITY_DATA_DIR="${PROBITY_DATA_DIR:-$PROBITY_REPO/.data}"
export PROBITY_CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
export PROBITY_KAFKA_PORT="${PROBITY_KAFKA_PORT:-19092}"
export PROBITY_KAFKA_CONTROLLER_PORT="${PROBITY_KAFKA_CONTROLLER_PORT:-19093}"
export PROBITY_REDIS_PORT="${PROBITY_REDIS_PORT:-16379}"
export PROBITY_KAFKA_VERSION="${PROBITY_KAFKA_VERSION:-4.4.0}"
PROBITY_KAFKA_HEAP="${PROBITY_KAFKA_HEAP:-512m}"

PROBITY_KAFKA_HOME="$PROBITY_CACHE_DIR/kafka-$PROBITY_KAFKA_VERSION"
PROBITY_KAFKA_LIBS="$PROBITY_KAFKA_HOME/libs"
PROBITY_LOG_DIR="$PROBITY_DATA_DIR/logs"
PROBITY_RUN_DIR="$PROBITY_DATA_DIR/run"

# Clients started from these scripts must talk to the servers these scripts
# start, whatever ports were chosen.
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$PROBITY_KAFKA_PORT}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$PROBITY_REDIS_PORT}"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  _C_RED=$'\033[31m' _C_GREEN=$'\033[32m' _C_DIM=$'\033[2m' _C_OFF=$'\033[0m'
else
  _C_RED='' _C_GREEN='' _C_DIM='' _C_OFF=''
fi

# Progress goes to stderr so a script's stdout stays free for results.
step() { printf '▸ %s\n' "$*" >&2; }
info() { printf '  %s%s%s\n' "$_C_DIM" "$*" "$_C_OFF" >&2; }
ok() { printf '  %s✓%s %s\n' "$_C_GREEN" "$_C_OFF" "$*" >&2; }
warn() { printf '  ! %s\n' "$*" >&2; }

# die CAUSE FIX — every failure says what went wrong and what to do about it.
die() {
  printf '%s✗ %s%s\n' "$_C_RED" "$1" "$_C_OFF" >&2
  if [ -n "${2:-}" ]; then printf '  fix: %s\n' "$2" >&2; fi
  exit 1
}

now_ms() { date +%s%3N; }
# elapsed START_MS → "3.4 s"
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%d s' $((d / 1000)) $(((d % 1000) / 100)); }

ensure_dirs() { mkdir -p "$PROBITY_DATA_DIR" "$PROBITY_LOG_DIR" "$PROBITY_RUN_DIR"; }

# wait_for TIMEOUT_S DESCRIPTION COMMAND... — polls COMMAND every 0.25 s until
# it succeeds; returns 1 after TIMEOUT_S seconds.
wait_for() {
  local timeout_s="$1" what="$2"
  shift 2
  local deadline=$(($(now_ms) + timeout_s * 1000))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      warn "timed out after ${timeout_s} s waiting for $what"
      return 1
    fi
    sleep 0.25
  done
}

# port_in_use PORT — true when something listens on 127.0.0.1:PORT (or any address).
port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# port_owner PORT — "pid 123 (java)" or "an unknown process".
port_owner() {
  local port="$1" line=""
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1)"
  fi
  if [[ "$line" =~ \"([^\"]+)\",pid=([0-9]+) ]]; then
    printf 'pid %s (%s)' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
  else
    printf 'an unknown process'
  fi
}

# require_free_port PORT NAME ENV_VAR — dies naming the process that holds the port.
require_free_port() {
  local port="$1" name="$2" var="$3"
  if port_in_use "$port"; then
    die "port $port (for $name) is already used by $(port_owner "$port")" \
      "stop that process, or choose another port: export $var=<port> (and point the clients at it)"
  fi
}

# pid_alive PIDFILE — true when the pid file names a running process.
pid_alive() {
  local pidfile="$1" pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# stop_pidfile PIDFILE NAME TIMEOUT_S — SIGTERM, wait, SIGKILL after TIMEOUT_S.
stop_pidfile() {
  local pidfile="$1" name="$2" timeout_s="${3:-30}" pid
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(now_ms) + timeout_s * 1000))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      warn "$name (pid $pid) did not stop within ${timeout_s} s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

# stop_service NAME PIDFILE TIMEOUT_S — stop_pidfile with progress lines (SIGTERM lets each server flush).
stop_service() {
  local name="$1" pidfile="$2" timeout_s="$3" t0
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    ok "$name not running"
    return 0
  fi
  t0="$(now_ms)"
  step "stopping $name (pid $(cat "$pidfile"))"
  stop_pidfile "$pidfile" "$name" "$timeout_s"
  ok "$name stopped ($(elapsed "$t0"))"
}

# service_status LABEL PIDFILE PORT — one line; exit 1 when stopped.
service_status() {
  local label="$1" pidfile="$2" port="$3"
  if pid_alive "$pidfile"; then
    echo "$label: running (pid $(cat "$pidfile")) on 127.0.0.1:$port"
    return 0
  fi
  echo "$label: stopped"
  return 1
}

# log_tail FILE [N] — the last lines of a log, indented, for failure messages.
log_tail() {
  local file="$1" n="${2:-30}"
  if [ -s "$file" ]; then
    printf '  last %s lines of %s:\n' "$n" "$file" >&2
    tail -n "$n" "$file" | sed 's/^/    | /' >&2
  else
    printf '  (no log at %s)\n' "$file" >&2
  fi
}

# java_major — the major version of `java` on PATH, or 0 when there is none.
java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  local v
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

require_java17() {
  local major
  major="$(java_major)"
  if [ "$major" -eq 0 ]; then
    die "Java is not installed (Kafka needs Java 17 or newer)" "apt-get install -y openjdk-17-jre-headless"
  fi
  if [ "$major" -lt 17 ]; then
    die "Java $major found on PATH; Kafka $PROBITY_KAFKA_VERSION needs Java 17 or newer" \
      "apt-get install -y openjdk-17-jre-headless, then put it first on PATH (update-alternatives --config java)"
  fi
}
