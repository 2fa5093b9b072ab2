#!/usr/bin/env bash
# The runtime layer of kotune's daemonless images when no base image can be pulled (`-Pimage` with the default
# kotune.image.base=scratch; deploy/README.md, "Images"): a jlink'd Java 17 runtime under /opt/kotune-jre plus the
# shared libraries it and the services' native code (ONNX Runtime, HF tokenizers, libtorch) load, copied from this
# build machine with their paths, and /etc/passwd, /etc/group naming uid/gid 185, and an empty /tmp.
# With a registry base image (eclipse-temurin:17-jre, ubi9/openjdk-17-runtime) this layer is not used.
#
# Usage: deploy/image/runtime-rootfs.sh OUT_DIR    (JAVA_HOME: the JDK to jlink from, with jmods; default: java's)
# Reuses OUT_DIR when it already holds a runtime made from the same JDK.
set -euo pipefail
OUT="${1:?usage: runtime-rootfs.sh OUT_DIR}"
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[[ -d "$JDK/jmods" ]] || { echo "runtime-rootfs: $JDK has no jmods/ (need a full JDK, e.g. openjdk-17-jdk-headless)" >&2; exit 1; }
if [[ "${KOTUNE_IMAGE_JLINK:-true}" == "false" ]]; then
  # A registry base image brings Java: no runtime layer (an empty directory adds nothing to the image).
  rm -rf "$OUT"; mkdir -p "$OUT"; echo "runtime-rootfs: skipped (kotune.image.jlink=false)"; exit 0
fi
STAMP="$OUT.stamp"   # beside OUT, not in the image
if [[ -x "$OUT/opt/kotune-jre/bin/java" && "$(cat "$STAMP" 2>/dev/null)" == "$JDK" ]]; then
  echo "runtime-rootfs: $OUT is up to date"; exit 0
fi
rm -rf "$OUT"; mkdir -p "$OUT/opt" "$OUT/etc" "$OUT/tmp" "$OUT/deployments"
# Every module the Quarkus services may use (java.desktop: java.beans, used by Jinjava and SnakeYAML), not jdk.jshell,
# jdk.jdi and the like. --strip-debug and compression keep it near 60 MB.
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.localedata,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$OUT/opt/kotune-jre"
# Shared libraries: what the JVM's own core libraries link against, and what ONNX Runtime, the tokenizers and libtorch
# need (libstdc++, libgcc_s, libgomp). GUI libraries (libawt_xawt, fonts, sound) are left out: headless services.
copy() { local f; f="$(readlink -f "$1")"; mkdir -p "$OUT$(dirname "$1")"; cp -L "$f" "$OUT$1"; }
libs() { ldd "$@" 2>/dev/null | awk '/=>/ && $3 ~ /^\// {print $3} /^\s*\/lib/ {print $1}'; }
JRE="$OUT/opt/kotune-jre"
for lib in $( { libs "$JRE/bin/java" "$JRE/lib/server/libjvm.so" "$JRE"/lib/lib{java,jli,net,nio,zip,verify,management,management_ext,extnet,jimage,j2pkcs11,prefs,rmi}.so
  for extra in libstdc++.so.6 libgcc_s.so.1 libgomp.so.1 libz.so.1 libdl.so.2 libpthread.so.0 librt.so.1 libm.so.6; do
    ldconfig -p | awk -v n="$extra" '$1 == n && /x86-64/ {print $NF; exit}'; done; } | sort -u); do
  case "$lib" in "$OUT"*) continue ;; esac
  copy "$lib"
done
copy /lib64/ld-linux-x86-64.so.2
# Libraries of the JRE that are not on the default search path (libjli etc. resolve through the java launcher's RPATH).
printf 'root:x:0:0:root:/:/sbin/nologin\nkotune:x:185:185:kotune:/deployments:/sbin/nologin\n' > "$OUT/etc/passwd"
printf 'root:x:0:\nkotune:x:185:\n' > "$OUT/etc/group"
echo "$JDK" > "$STAMP"
du -sh "$OUT" | sed 's/^/runtime-rootfs: /'
