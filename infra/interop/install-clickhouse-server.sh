#!/usr/bin/env bash
# Installs Debian's clickhouse-server (18.16 on bookworm) for the server
# adapter's plumbing smoke test. Idempotent: does nothing when the binary is
# already there; runs `apt-get update` only when the package is not known yet.
# The package's own service is never started: infra/clickhouse-server.sh runs
# the server as a plain local process on loopback.
set -euo pipefail

if command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/bin/clickhouse ]; then
  echo "clickhouse-server already installed: $(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || echo unknown)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if ! apt-cache show clickhouse-server >/dev/null 2>&1; then
  $SUDO apt-get update -q
fi
# policy-rc.d 101 keeps dpkg from starting the packaged service during install
# (harmless where there is no init system).
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  CREATED_POLICY=1
fi
trap 'if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi' EXIT
$SUDO apt-get install -y -q --no-install-recommends clickhouse-server clickhouse-client
echo "clickhouse-server installed: $(dpkg-query -W -f='${Version}' clickhouse-server)"
