#!/usr/bin/env bash
# Soak of kotune inference-service (issue 20, item 8): 32 streaming clients on /v1/completions for 10 minutes, with
# a model swap through the admin API every minute (API and admin keys on, as in production), reporting per minute:
# requests served, errors, p50/p99 latency and the server's RSS. Target: RSS flat within +-10% after the first
# minute (warm-up), zero errors, no p99 creep. The model is served from the packaged jar; the swaps cycle through
# export directories of the same export (each a new version: the old one is unloaded once its streams are done).
# Load: bench/python/soak_client.py (standard library only), greedy, --max-tokens new tokens with EOS ignored.
#
# Usage: bench/soak.sh [--duration 600] [--swap-every 60] [--interval 60] [--clients 32] [--max-tokens 32]
#                      [--checkpoint DIR] [--tokenizer FILE] [--port 18090] [--no-build]
#   --checkpoint / --tokenizer  what to export and serve (default: the committed tiny-kogpt2 with the built-in
#                               tokenizer, models/kotune-ko-bpe-8k: fast, CI-sized; pass a KoGPT2-size checkpoint
#                               for a production-like soak)
#   --no-build                  use the jars already built (cli/target, inference-service/target/quarkus-app)
# KOTUNE_JAVA_OPTS: extra JVM options (e.g. -Xmx2g -Dkotune.inference.intra-op-threads=2). MALLOC_ARENA_MAX: glibc's
# malloc arenas for the server (default here 2, as the Jib images set (deploy/pom.xml); MALLOC_ARENA_MAX= for glibc's default).
# Outputs under $OUT (default /tmp/kotune-soak): exports, keys, server.log, requests.jsonl, minutes.jsonl,
# swaps.jsonl, table.md. Exit status 1 when any request or swap failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/kotune-soak}"
DURATION=600; SWAP_EVERY=60; INTERVAL=60; CLIENTS=32; MAX_TOKENS=32; PORT=18090; BUILD=1
CHECKPOINT="$ROOT/conformance/models/tiny-kogpt2"; TOKENIZER="$ROOT/models/kotune-ko-bpe-8k/tokenizer.json"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --swap-every) SWAP_EVERY="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --max-tokens) MAX_TOKENS="$2"; shift 2 ;;
    --checkpoint) CHECKPOINT="$2"; shift 2 ;;
    --tokenizer) TOKENIZER="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $BUILD == 1 ]]; then
  echo "building cli and inference-service..." >&2
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl cli,inference-service -am package -DskipTests >&2
fi
HOME_DIR="$OUT/home"; EXPORT="$HOME_DIR/exports/soak"
rm -rf "$HOME_DIR/versions" "$OUT/run"; mkdir -p "$HOME_DIR/models" "$HOME_DIR/versions" "$OUT/run"
[[ -f "$EXPORT/model.onnx" ]] || java -Xmx2g -jar "$ROOT/cli/target/kotune-cli.jar" export \
  --checkpoint "$CHECKPOINT" --tokenizer "$TOKENIZER" --out "$EXPORT" >&2
VERSIONS=()
for v in 0 1 2; do  # three directories of the same files: each swap loads a new version
  mkdir -p "$HOME_DIR/versions/v$v"
  for f in "$EXPORT"/*; do ln -s "$f" "$HOME_DIR/versions/v$v/$(basename "$f")"; done
  VERSIONS+=("$HOME_DIR/versions/v$v")
done
KEY="sk-soak-$RANDOM$RANDOM"; ADMIN_KEY="sk-soak-admin-$RANDOM$RANDOM"
umask 077; echo "$KEY" > "$OUT/api-keys"; echo "$ADMIN_KEY" > "$OUT/admin-keys"; umask 022

MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX-2}" java ${KOTUNE_JAVA_OPTS:-} -Dkotune.home="$HOME_DIR" -Dquarkus.http.port="$PORT" -Dquarkus.grpc.server.port=$((PORT + 1)) \
  -Dkotune.inference.follow-training-events=false \
  -Dkotune.inference.api-keys-file="$OUT/api-keys" -Dkotune.inference.admin-keys-file="$OUT/admin-keys" \
  -jar "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1 && break
  alive=$(ps -o stat= -p $SERVER_PID 2>/dev/null || true); [[ -n "$alive" ]] || { cat "$OUT/server.log" >&2; exit 1; }
  sleep 1
done
curl -sf -H "Authorization: Bearer $ADMIN_KEY" -H "Content-Type: application/json" \
  -d "{\"id\": \"soak\", \"path\": \"${VERSIONS[0]}\"}" "http://127.0.0.1:$PORT/v1/admin/models" >/dev/null
echo "uptime before: $(uptime); MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-2}; KOTUNE_JAVA_OPTS=${KOTUNE_JAVA_OPTS:-}" | tee "$OUT/run/uptime.txt" >&2
set +e
python3 "$ROOT/bench/python/soak_client.py" --port "$PORT" --key "$KEY" --admin-key "$ADMIN_KEY" --model soak \
  --versions "${VERSIONS[@]}" --clients "$CLIENTS" --duration "$DURATION" --swap-every "$SWAP_EVERY" \
  --interval "$INTERVAL" --max-tokens "$MAX_TOKENS" --pid "$SERVER_PID" --out "$OUT/run"
STATUS=$?
set -e
echo "uptime after: $(uptime)" | tee -a "$OUT/run/uptime.txt" >&2
echo "server log: $OUT/server.log ($(grep -c 'swapped model soak' "$OUT/server.log") swaps, $(grep -c 'unloaded model soak' "$OUT/server.log") versions unloaded)" >&2
exit $STATUS
