#!/usr/bin/env bash
# Installs the reference Apache Avro (Java) library that test/interop/schema
# checks @probity/schema against, and compiles the small oracle program.
# Idempotent and cached: a second run with unchanged inputs downloads and
# compiles nothing. Needs Java 17+ (javac) and Maven.
#
#   bash infra/interop/install-schema.sh
#
# Result: $PROBITY_CACHE_DIR/avro-java/{libs/*.jar,classes/}
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${PROBITY_CACHE_DIR:-$HOME/.cache/probity}"
DEST="$CACHE_DIR/avro-java"
JAVA_DIR="$ROOT/test/interop/schema/java"
POM="$JAVA_DIR/pom.xml"
SOURCES=("$JAVA_DIR"/src/main/java/io/probity/interop/*.java)

say() { echo "[install-schema] $*"; }
die() { echo "[install-schema] ERROR: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
command -v javac >/dev/null || die "javac not found: install a JDK, not only a JRE (Debian: apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null || die "mvn not found (Debian: apt-get install maven)"

mkdir -p "$DEST"
exec 9>"$DEST/.lock"
flock 9

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

libs_stamp="$(stamp_of "$POM")"
if [[ -f "$DEST/libs.stamp" && "$(cat "$DEST/libs.stamp")" == "$libs_stamp" ]] && compgen -G "$DEST/libs/avro-*.jar" >/dev/null; then
  say "Avro jars already in $DEST/libs"
else
  say "fetching Apache Avro jars from Maven Central into $DEST/libs"
  rm -rf "$DEST/libs"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$DEST/libs" \
    || die "mvn dependency:copy-dependencies failed (is Maven Central reachable?)"
  echo "$libs_stamp" >"$DEST/libs.stamp"
  say "$(ls "$DEST/libs" | wc -l) jars installed"
fi

classes_stamp="$(stamp_of "$POM" "${SOURCES[@]}")"
if [[ -f "$DEST/classes.stamp" && "$(cat "$DEST/classes.stamp")" == "$classes_stamp" ]]; then
  say "oracle already compiled in $DEST/classes"
else
  say "compiling the Avro oracle"
  rm -rf "$DEST/classes"
  mkdir -p "$DEST/classes"
  javac -nowarn -d "$DEST/classes" -cp "$DEST/libs/*" "${SOURCES[@]}" || die "javac failed"
  echo "$classes_stamp" >"$DEST/classes.stamp"
fi

say "ready: java -cp '$DEST/classes:$DEST/libs/*' io.probity.interop.AvroOracle"
