#!/usr/bin/env bash
# Builds the published artifacts (jars, sources, javadoc: `-Prelease`, signing skipped without a key) twice from
# clean and fails when any byte differs. Also the javadoc check: the release build fails on a javadoc warning.
# Run by .ci/run after the tests; usable alone: scripts/check-reproducible.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Every published module: the collab-* modules of the reactor (examples and benchmarks are not published).
modules=$(sed -n 's:^ *<module>\(collab-[^<]*\)</module>.*:\1:p' pom.xml | paste -sd, -)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for round in 1 2; do
  echo "[reproducible] release build $round of $modules"
  ./mvnw -B -ntp -Prelease -DskipTests -pl "$modules" clean package
  mkdir -p "$out/$round"
  for jar in collab-*/target/*.jar; do
    cp "$jar" "$out/$round/"
  done
done

cd "$out"
if diff <(cd 1 && sha256sum -- *.jar) <(cd 2 && sha256sum -- *.jar); then
  echo "[reproducible] $(ls 1 | wc -l) jars identical in both builds"
else
  echo "[reproducible] the two builds differ (see above); check project.build.outputTimestamp and generated files" >&2
  exit 1
fi
