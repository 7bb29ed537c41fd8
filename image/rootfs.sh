#!/usr/bin/env bash
# Builds the file tree the container image adds on top of an empty base: a Java runtime made with
# jlink from the JDK that runs the build (only the modules the node uses), the few C libraries that
# runtime links against, copied from the build machine, and a /tmp the node may write to (Netty
# unpacks its native transport there). No registry, no Docker daemon: jib:buildTar layers this tree
# and the node's jars into an image tar. Usage: rootfs.sh OUTPUT_DIR
set -euo pipefail
out="$1"
rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
# The runtime's own default options (jlink --add-options; the entrypoint's flags and JAVA_TOOL_OPTIONS come
# after them, so either can override), as ./switchboard sets them: on JDKs that have it (17.0.9+, 21.0.1+,
# 22+), hand freed native memory back to the system every second (a connect storm makes the JVM malloc and
# free tens of MiB that the C library otherwise keeps resident: docs/benchmarks.md, Round 7); on JDK 25 or
# newer, compact object headers (about 160 bytes less heap per connection: Round 11).
java_version="$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$java_home/release" 2>/dev/null || true)"
runtime_flags=()
if [[ "$java_version" =~ ^([0-9]+)(\.[0-9]+\.([0-9]+))? ]]; then
  v_major="${BASH_REMATCH[1]}" v_update="${BASH_REMATCH[3]:-0}"
  if [ "$v_major" -ge 22 ] || { [ "$v_major" = 21 ] && [ "$v_update" -ge 1 ]; } || { [ "$v_major" = 17 ] && [ "$v_update" -ge 9 ]; }; then
    runtime_flags+=(-XX:TrimNativeHeapInterval=1000)
  fi
  if [ "$v_major" -ge 25 ]; then
    runtime_flags+=(-XX:+UseCompactObjectHeaders)
  fi
fi
runtime_options=()
if [ "${#runtime_flags[@]}" -gt 0 ]; then
  runtime_options=("--add-options=${runtime_flags[*]}")
fi
"$java_home/bin/jlink" --add-modules java.base,java.naming,java.net.http,java.sql,java.management,jdk.management,jdk.jfr,jdk.unsupported,jdk.crypto.ec \
  "${runtime_options[@]}" \
  --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive --output "$out/opt/java"
# --generate-cds-archive: the JDK's own class-data-sharing archive for this runtime (a jlink image has
# none otherwise), which starts the node about a quarter sooner (docs/benchmarks.md, "Cold start"). Only
# the one for compressed object pointers (heaps under 32 GB) is kept: the other is 10 MB more. (With compact
# object headers the JDK names them classes_coh.jsa and classes_nocoops_coh.jsa.)
rm -f "$out/opt/java/lib/server/classes_nocoops.jsa" "$out/opt/java/lib/server/classes_nocoops_coh.jsa"
# The shared libraries of the runtime (and the dynamic loader), at the paths the binaries ask for.
for f in $(ldd "$out/opt/java/bin/java" "$out/opt/java/lib/server/libjvm.so" "$out"/opt/java/lib/*.so 2>/dev/null \
           | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u); do
  case "$f" in "$out"/*) continue ;; esac # the runtime's own libraries are in place already
  mkdir -p "$out$(dirname "$f")"
  cp -L "$f" "$out$f"
done
# Name resolution and users for a process that runs without a distribution underneath it.
mkdir -p "$out/etc"
printf 'root:x:0:0:root:/:/sbin/nologin\nswitchboard:x:65532:65532:switchboard:/tmp:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nswitchboard:x:65532:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
