#!/usr/bin/env bash
# What a release would publish: builds the published modules as `./mvnw -Prelease verify` does (jars, sources,
# javadoc that fails on any warning; signed only when MAVEN_GPG_KEY is set; tests skipped: CI ran them), then lists
# every artifact with its module name and size, and each module's runtime dependency tree; and checks what the
# artifacts promise: collab-core has no runtime dependency, collab-client carries no server class and does not
# depend on collab-netty, every library jar is a named module (the starter an automatic one).
# Usage: scripts/release-check.sh [--no-build]
#   --no-build  use the artifacts a release build just left in */target (.ci/run: after check-reproducible.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

# Published: the collab-* modules of the reactor but the test kit (see the release profile's excludeArtifacts).
modules=$(sed -n 's:^ *<module>\(collab-[^<]*\)</module>.*:\1:p' pom.xml | grep -v '^collab-testkit$' | paste -sd, -)
tree=target/runtime-dependencies.txt

if [[ "${1:-}" != --no-build ]]; then
  echo "[release-check] ./mvnw -Prelease verify of $modules (tests skipped)"
  ./mvnw -B -ntp -Prelease -DskipTests -pl "$modules" -am verify
fi
./mvnw -B -ntp -q -pl "$modules" -am dependency:tree -Dscope=runtime -DoutputFile="$tree"

failed=0
fail() {
  echo "[release-check] FAILED: $*" >&2
  failed=1
}

echo
echo "== artifacts"
echo "collab-parent: pom.xml (the parent of every module but the BOM: published with them)"
for module in ${modules//,/ }; do
  artifacts=$(ls "$module"/target/"$module"-*.jar "$module"/target/"$module"-*.asc 2>/dev/null || true)
  echo "$module: pom.xml"
  for file in $artifacts; do
    name=$(basename "$file")
    case "$name" in
      *-sources.jar|*-javadoc.jar|*.asc) echo "  $name ($(stat -c %s "$file") bytes)" ;;
      *.jar)
        # "name@version jar:file:...module-info.class", or "name@version automatic" for an automatic module
        descriptor=$(jar --describe-module --file "$file" 2>/dev/null | grep -m1 -E '^[a-z][a-zA-Z0-9_.]*[@ ]' || true)
        kind=$([[ "$descriptor" == *automatic ]] && echo "automatic module" || echo "module")
        echo "  $name ($(stat -c %s "$file") bytes): $kind ${descriptor%%@*}"
        ;;
    esac
  done
  [[ -n "$artifacts" || "$module" == collab-bom ]] || fail "$module has no artifacts in target: build with -Prelease first"
done

echo
echo "== runtime dependency trees (compile and runtime scope; optional ones marked so)"
for module in ${modules//,/ }; do
  cat "$module/$tree"
done

echo
# collab-core: only the module itself in its runtime tree (JSpecify is provided: compilers only).
[[ $(wc -l < "collab-core/$tree") -eq 1 ]] || fail "collab-core has runtime dependencies: $(tail -n +2 "collab-core/$tree")"
# collab-client: no server classes, no server artifact.
client_jar=$(ls collab-client/target/collab-client-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
server_classes=$(unzip -Z1 "$client_jar" | grep -c '^ai/candlefish/collab/server/' || true)
[[ "$server_classes" -eq 0 ]] || fail "collab-client carries $server_classes classes of ai.candlefish.collab.server"
! grep -q ':collab-netty:' "collab-client/$tree" || fail "collab-client depends on collab-netty"
# Library jars: named modules; the starter an automatic module (Boot runs applications on the class path).
for module in collab-core collab-protocol collab-netty collab-client collab-jdbc collab-redis; do
  jar=$(ls "$module"/target/"$module"-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
  unzip -Z1 "$jar" | grep -qx 'module-info.class' || fail "$module has no module-info.class"
done

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "[release-check] collab-core: no runtime dependencies; collab-client: no server classes, no collab-netty;" \
  "library jars are named modules"
