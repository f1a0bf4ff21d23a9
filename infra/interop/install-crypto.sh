#!/usr/bin/env bash
# Installs what the @probity/crypto interop tests (test/interop/crypto) need:
#   - Go's reference tlog/note implementation (golang.org/x/mod),
#     filippo.io/torchwood's C2SP checkpoint parser and go-securesystemslib's
#     DSSE signer (all pinned in
#     test/interop/crypto/go/go.mod) built into
#     $PROBITY_CACHE_DIR/bin/probity-tlogcheck-<hash of its sources>
#   - Python securesystemslib with its crypto extra (Ed25519 DSSE signing and
#     verification) in the shared venv $PROBITY_CACHE_DIR/venv
#
# Idempotent and cached: a second run finds the binary up to date and the
# Python package importable, and downloads nothing.
# Unit tests of packages/crypto need none of this.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
BIN_DIR="$CACHE_DIR/bin"
GO_SRC="$ROOT/test/interop/crypto/go"
# Named by a hash of its sources (the order test/interop/crypto/tools.ts hashes
# them in), so worktrees with different versions of the checker never
# overwrite each other's binary in the shared cache.
GO_SRC_HASH="$(cd "$GO_SRC" && ls -1 | grep -E '\.(go|mod|sum)$' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)"
GO_BIN="$BIN_DIR/probity-tlogcheck-$GO_SRC_HASH"
VENV="$CACHE_DIR/venv"
LOCK="$CACHE_DIR/venv.lock"
PY="$VENV/bin/python"
SSLIB_REQ="securesystemslib[crypto]==1.6.0"

log() { printf '[install-crypto] %s\n' "$*"; }
die() { printf '[install-crypto] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN_DIR"

# --- Go reference checker -------------------------------------------------
# golang.org/x/mod v0.42.0 declares go 1.26.0. Debian 12's golang-go (1.19) is too old,
# so a Go found only at the usual tarball location is used as a fallback.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  log "go not on PATH; using /usr/local/go/bin/go"
  PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null || die "go not found on PATH: install Go >= 1.26 and put it on PATH (Debian 12's golang-go is 1.19, too old for golang.org/x/mod v0.42.0)"
GO_VERSION="$(go env GOVERSION)"
GO_MINOR="$(printf '%s' "$GO_VERSION" | sed -E 's/^go1\.([0-9]+).*/\1/')"
if ! [[ "$GO_MINOR" =~ ^[0-9]+$ ]] || [ "$GO_MINOR" -lt 26 ]; then
  die "$GO_VERSION is too old: golang.org/x/mod v0.42.0 needs Go >= 1.26; put a newer Go first on PATH"
fi

# The name carries the sources' hash: build only when no binary has it yet.
needs_build() {
  [ ! -x "$GO_BIN" ]
}

if needs_build; then
  log "downloading golang.org/x/mod, filippo.io/torchwood and go-securesystemslib (pinned in $GO_SRC/go.mod) via the Go module proxy"
  (cd "$GO_SRC" && go mod download) || die "go mod download failed: check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY))"
  log "building $GO_BIN with $(go version | cut -d' ' -f3)"
  (cd "$GO_SRC" && go build -o "$GO_BIN.tmp.$$" . && mv "$GO_BIN.tmp.$$" "$GO_BIN") || die "go build of $GO_SRC failed (see output above)"
else
  log "$GO_BIN is up to date — nothing to do."
fi

# --- Python securesystemslib ---------------------------------------------
sslib_ready() {
  [ -x "$PY" ] && "$PY" - <<'PYEOF' >/dev/null 2>&1
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey
import cryptography
PYEOF
}

if sslib_ready; then
  log "securesystemslib $("$PY" -c 'import securesystemslib; print(securesystemslib.__version__)') already in $VENV — nothing to do."
  exit 0
fi

# Several install scripts share this venv: serialise creation and pip runs.
exec 9>"$LOCK"
log "waiting for venv lock $LOCK"
flock 9

if [ ! -x "$PY" ]; then
  command -v python3 >/dev/null || die "python3 not found on PATH: apt-get install python3 python3-venv"
  log "creating venv $VENV with $(python3 --version)"
  python3 -m venv "$VENV" || die "python3 -m venv failed: apt-get install python3-venv"
fi

if sslib_ready; then
  log "securesystemslib installed by another script while waiting for the lock — nothing to do."
  exit 0
fi

log "installing $SSLIB_REQ from PyPI into $VENV"
PIP_CACHE_DIR="$CACHE_DIR/pip" "$PY" -m pip install --disable-pip-version-check --quiet "$SSLIB_REQ" \
  || die "pip install $SSLIB_REQ failed: check that PyPI is reachable"

sslib_ready || die "securesystemslib still not importable from $PY after install"
log "ready: securesystemslib $("$PY" -c 'import securesystemslib; print(securesystemslib.__version__)') at $PY, Go checker at $GO_BIN"
