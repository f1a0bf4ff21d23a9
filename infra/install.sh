#!/usr/bin/env bash
# Installs what Probity needs on this machine, and only what is missing.
# Cached: a second run downloads nothing.
#
#   bash infra/install.sh               # everything, incl. the interop tools the tests use
#   bash infra/install.sh --no-interop  # just enough to run Probity (quickstart)
#
# - node_modules (npm ci, when missing or older than package-lock.json or patches/)
# - Kafka $PROBITY_KAFKA_VERSION jars → $PROBITY_CACHE_DIR/kafka-<version>/libs (Maven Central)
# - redis-server (Debian package)
# - Java >= 17 and Maven are checked, not installed
# - then every infra/interop/install-*.sh (Python venv, Go modules, Avro jars, clickhouse-server, the opa CLI)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WITH_INTEROP=1
for arg in "$@"; do
  case "$arg" in
    --no-interop) WITH_INTEROP=0 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $arg" "bash infra/install.sh [--no-interop]" ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
T_ALL="$(now_ms)"
mkdir -p "$PROBITY_CACHE_DIR"

install_node_modules() {
  step "node modules"
  command -v node >/dev/null || die "node is not installed (Probity needs Node 20)" "install Node.js 20 (e.g. from nodejs.org or your distribution), then rerun"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node $major found; Probity needs Node 20 or newer" "install Node.js 20, then rerun"
  local lock="$PROBITY_REPO/package-lock.json" stamp="$PROBITY_REPO/node_modules/.package-lock.json"
  # npm rewrites node_modules/.package-lock.json on every install, so a lock
  # file newer than it means someone changed dependencies since; a newer file in
  # patches/ (applied to dependencies by the postinstall, patch-package) too.
  local newer_patch=""
  if [ -f "$stamp" ] && [ -d "$PROBITY_REPO/patches" ]; then
    newer_patch="$(find "$PROBITY_REPO/patches" -type f -newer "$stamp" | head -n 1)"
  fi
  if [ -f "$stamp" ] && [ ! "$lock" -nt "$stamp" ] && [ -z "$newer_patch" ]; then
    ok "node_modules up to date"
    return
  fi
  local t0
  t0="$(now_ms)"
  info "npm ci (node_modules missing, or older than package-lock.json or patches/)"
  local out="$PROBITY_CACHE_DIR/npm-ci.$$.log"
  if ! (cd "$PROBITY_REPO" && npm ci --no-audit --no-fund --loglevel=error) >"$out" 2>&1; then
    if grep -q 'are in sync' "$out"; then
      # npm ci refuses a lock file that misses entries (e.g. other platforms'
      # optional packages); npm install completes it from the same registry.
      grep -E '^npm error Missing' "$out" | head -n 5 >&2 || true
      warn "package-lock.json is out of sync with package.json; falling back to npm install (fix for good: run \`npm install\` and commit package-lock.json)"
      (cd "$PROBITY_REPO" && npm install --no-audit --no-fund --loglevel=error) >&2 ||
        { rm -f "$out"; die "npm install failed (output above)" "check network access to the npm registry, then rerun"; }
    else
      cat "$out" >&2
      rm -f "$out"
      die "npm ci failed (output above)" "check network access to the npm registry; if package.json changed, run npm install and commit package-lock.json"
    fi
  fi
  rm -f "$out"
  ok "node_modules installed ($(elapsed "$t0"))"
}

install_kafka_jars() {
  step "Kafka $PROBITY_KAFKA_VERSION jars"
  require_java17
  local marker="$PROBITY_KAFKA_HOME/.complete"
  if [ -f "$marker" ]; then
    ok "cached in $PROBITY_KAFKA_LIBS ($(find "$PROBITY_KAFKA_LIBS" -name '*.jar' | wc -l) jars)"
    return
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is not installed; it fetches the Kafka jars from Maven Central" "apt-get install -y maven"
  local t0
  t0="$(now_ms)"
  mkdir -p "$PROBITY_KAFKA_HOME"
  # Two installs at once (CI and a developer) must not interleave.
  exec 8>"$PROBITY_KAFKA_HOME.lock"
  flock 8
  if [ ! -f "$marker" ]; then
    local tmp="$PROBITY_KAFKA_HOME/libs.tmp"
    rm -rf "$tmp"
    info "mvn dependency:copy-dependencies (org.apache.kafka:kafka_2.13:$PROBITY_KAFKA_VERSION)"
    if ! mvn -B -q -Dstyle.color=never -f "$PROBITY_INFRA/config/kafka/pom.xml" \
      -Dkafka.version="$PROBITY_KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 |
      sed -u 's/\x1b\[[0-9;]*m//g' >&2; then
      die "Maven could not fetch the Kafka $PROBITY_KAFKA_VERSION jars (output above)" \
        "check access to Maven Central (repo.maven.apache.org) and that PROBITY_KAFKA_VERSION=$PROBITY_KAFKA_VERSION exists, then rerun"
    fi
    rm -rf "$PROBITY_KAFKA_LIBS"
    mv "$tmp" "$PROBITY_KAFKA_LIBS"
    touch "$marker"
  fi
  flock -u 8
  ok "$(find "$PROBITY_KAFKA_LIBS" -name '*.jar' | wc -l) jars in $PROBITY_KAFKA_LIBS ($(elapsed "$t0"))"
}

install_redis() {
  step "redis-server"
  if command -v redis-server >/dev/null; then
    ok "$(redis-server --version | awk "{print \$3}" | sed "s/^v=//") already installed"
    return
  fi
  local t0
  t0="$(now_ms)"
  if ! apt-cache show redis-server >/dev/null 2>&1; then
    info "apt-get update (redis-server not in the package lists yet)"
    $SUDO apt-get update -q >&2 || die "apt-get update failed (output above)" "check access to the Debian mirrors, then rerun"
  fi
  # Keep dpkg from starting the packaged service: infra/redis.sh runs its own
  # instance on 127.0.0.1:$PROBITY_REDIS_PORT.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created=1
  fi
  local rc=0
  $SUDO apt-get install -y -q --no-install-recommends redis-server >&2 || rc=$?
  if [ "$created" = 1 ]; then $SUDO rm -f "$policy"; fi
  [ "$rc" -eq 0 ] || die "apt-get install redis-server failed (output above)" "run: apt-get update && apt-get install -y redis-server"
  ok "$(redis-server --version | awk "{print \$3}" | sed "s/^v=//") installed ($(elapsed "$t0"))"
}

install_interop() {
  local scripts=()
  shopt -s nullglob
  scripts=("$PROBITY_INFRA"/interop/install-*.sh)
  shopt -u nullglob
  if [ "${#scripts[@]}" -eq 0 ]; then
    return
  fi
  for script in "${scripts[@]}"; do
    local name t0
    name="$(basename "$script")"
    step "interop: $name"
    t0="$(now_ms)"
    if ! bash "$script" >&2; then
      die "infra/interop/$name failed (output above)" "fix the cause it printed and rerun bash infra/install.sh; use --no-interop to skip the tools only the tests need"
    fi
    ok "$name ($(elapsed "$t0"))"
  done
}

install_node_modules
install_kafka_jars
install_redis
if [ "$WITH_INTEROP" = 1 ]; then
  install_interop
else
  info "skipping infra/interop/install-*.sh (--no-interop)"
fi
ok "install complete ($(elapsed "$T_ALL"))"
