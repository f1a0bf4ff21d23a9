#!/usr/bin/env bash
# Installs the Open Policy Agent CLI that the promotion gates need
# (`opa test` for a policy's Rego tests, `opa build -t wasm` to compile it):
#   go install github.com/open-policy-agent/opa@$PROBITY_OPA_VERSION
# via the Go module proxy, into $PROBITY_CACHE_DIR/bin/opa-<version>.
#
# Idempotent and cached: a second run finds the binary and downloads nothing.
# The gate commands find it as $PROBITY_OPA_BIN, else this path.
set -euo pipefail

CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
OPA_VERSION="${PROBITY_OPA_VERSION:-v1.22.4}"
BIN_DIR="$CACHE_DIR/bin"
OPA_BIN="$BIN_DIR/opa-$OPA_VERSION"
LOCK="$BIN_DIR/opa-$OPA_VERSION.lock"

log() { printf '[install-opa] %s\n' "$*"; }
die() { printf '[install-opa] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN_DIR"
if [ -x "$OPA_BIN" ]; then
  log "$OPA_BIN is installed — nothing to do."
  exit 0
fi

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  log "go not on PATH; using /usr/local/go/bin/go"
  PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null || die "go not found on PATH: install Go >= 1.26 and put it on PATH"

# Two installs at once (CI and a developer) must not build twice into one path.
exec 9>"$LOCK"
flock 9
if [ -x "$OPA_BIN" ]; then
  log "$OPA_BIN installed by another run while waiting for the lock — nothing to do."
  exit 0
fi

GOPATH_TMP="$CACHE_DIR/go-opa"
mkdir -p "$GOPATH_TMP"
log "go install github.com/open-policy-agent/opa@$OPA_VERSION (a few minutes on 2 cores)"
GOPATH="$GOPATH_TMP" GOFLAGS=-modcacherw GOBIN="$BIN_DIR/opa-build.$$" \
  go install "github.com/open-policy-agent/opa@$OPA_VERSION" ||
  die "go install of opa $OPA_VERSION failed (see output above): check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY))"
mv "$BIN_DIR/opa-build.$$/opa" "$OPA_BIN"
rmdir "$BIN_DIR/opa-build.$$"
"$OPA_BIN" version >/dev/null || die "$OPA_BIN does not run"
log "ready: $("$OPA_BIN" version | head -n 1) at $OPA_BIN"
