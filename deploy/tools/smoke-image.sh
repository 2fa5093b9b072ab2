#!/usr/bin/env bash
# Runs a service image built by `-Pimage` (a docker-archive tarball from Jib) WITHOUT a container runtime: unpacks its
# layers into a directory, mounts /proc, and runs the image's entrypoint with its environment as the image's user
# (chroot --userspec), on a read-only view of nothing but the image plus a writable /tmp; then polls a health URL.
# Needs root (chroot, mount). Not a substitute for a container runtime's isolation: a smoke test of the image's
# content (runtime, libraries, entrypoint, user).
# Usage: sudo [SMOKE_MOUNT=/host/dir:/in/image] deploy/tools/smoke-image.sh IMAGE_TAR HEALTH_URL [-Dkey=value ...]
#   extra JVM options go into JAVA_TOOL_OPTIONS; SMOKE_MOUNT bind-mounts a host directory read-only (models, tokenizer);
#   SMOKE_POST='URL JSON' posts JSON to URL once the health URL answers, and fails unless that returns 2xx.
set -euo pipefail
TAR="${1:?image tarball}"; URL="${2:?health URL, e.g. http://127.0.0.1:8081/q/health/ready}"; shift 2
ROOT="$(mktemp -d)"; IMG="$(mktemp -d)"; PID=""
MNT="${SMOKE_MOUNT:-}"
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null; sleep 1
  umount "$ROOT/proc" 2>/dev/null || true; [[ -n "$MNT" ]] && umount "$ROOT${MNT#*:}" 2>/dev/null || true
  rm -rf "$ROOT" "$IMG"
}
trap cleanup EXIT
tar -xf "$TAR" -C "$IMG"
python3 - "$IMG" "$ROOT" > "$IMG/run.env" <<'PY'
import json, os, subprocess, sys
img, root = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(img, "manifest.json")))[0]
for layer in manifest["Layers"]:
    subprocess.run(["tar", "-xzf", os.path.join(img, layer), "-C", root], check=True, stderr=subprocess.DEVNULL)
config = json.load(open(os.path.join(img, manifest["Config"])))["config"]
print("USER=" + config.get("User", "0"))
print("WORKDIR=" + config.get("WorkingDir", "/"))
print("ENTRYPOINT=" + "\x1f".join(config.get("Entrypoint", []) + (config.get("Cmd") or [])))
print("ENV=" + "\x1f".join(config.get("Env", [])))
PY
USER_SPEC="$(sed -n 's/^USER=//p' "$IMG/run.env")"; WORKDIR="$(sed -n 's/^WORKDIR=//p' "$IMG/run.env")"
IFS=$'\x1f' read -r -a ENTRY <<< "$(sed -n 's/^ENTRYPOINT=//p' "$IMG/run.env")"
IFS=$'\x1f' read -r -a ENVS <<< "$(sed -n 's/^ENV=//p' "$IMG/run.env")"
chmod 755 "$ROOT"; mkdir -p "$ROOT/proc" "$ROOT/tmp"; chmod 1777 "$ROOT/tmp"; mount -t proc proc "$ROOT/proc"
if [[ -n "$MNT" ]]; then mkdir -p "$ROOT${MNT#*:}"; mount --bind -o ro "${MNT%%:*}" "$ROOT${MNT#*:}"; fi
for i in "${!ENVS[@]}"; do [[ "${ENVS[$i]}" == JAVA_TOOL_OPTIONS=* ]] && ENVS[$i]="${ENVS[$i]} $*"; done
echo "smoke-image: user $USER_SPEC, entrypoint ${ENTRY[*]}"
env -i "${ENVS[@]}" HOME="$WORKDIR" chroot --userspec="$USER_SPEC" "$ROOT" /bin/sh -c true 2>/dev/null \
  && echo "smoke-image: note: the image has a shell"
env -i "${ENVS[@]}" HOME="$WORKDIR" chroot --userspec="$USER_SPEC" "$ROOT" "${ENTRY[@]}" > "$IMG/out.log" 2>&1 &
PID=$!
for _ in $(seq 1 180); do
  if curl -sf -o /dev/null "$URL"; then
    echo "smoke-image: $URL is UP"; tail -3 "$IMG/out.log"
    if [[ -n "${SMOKE_POST:-}" ]]; then
      curl -sf -m 120 -H 'Content-Type: application/json' -d "${SMOKE_POST#* }" "${SMOKE_POST%% *}" | head -c 400 \
        || { echo "smoke-image: POST ${SMOKE_POST%% *} failed"; tail -20 "$IMG/out.log"; exit 1; }
      echo
    fi
    exit 0
  fi
  kill -0 "$PID" 2>/dev/null || { echo "smoke-image: the process exited:"; tail -30 "$IMG/out.log"; exit 1; }
  sleep 1
done
echo "smoke-image: $URL not up after 180 s:"; tail -30 "$IMG/out.log"; exit 1
