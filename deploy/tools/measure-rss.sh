#!/usr/bin/env bash
# Resident memory of inference-service and tokenizer-service as the pods would run them, for the requests/limits in
# deploy/base/*/deployment.yaml (deploy/README.md, "Sizing"). Starts each packaged jar (target/quarkus-app) with the
# heap cap its Deployment gives it (JAVA_MAX_MEM_RATIO x memory limit), samples VmRSS every 0.5 s and prints VmHWM.
#   inference-service: serves a KoGPT2-base-size fp32 export (bench/serving.sh makes one under
#   /tmp/kotune-bench-serving/models) under C concurrent streaming /v1/completions of 64 new tokens each.
#   tokenizer-service: ready with the export's tokenizer.json loaded, idle (it has no HTTP load path).
# Usage: deploy/tools/measure-rss.sh [MODELS_DIR] [MODEL_ID] [CONCURRENCY] [REQUESTS_PER_CLIENT] [REPO_WITH_JARS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODELS="${1:-/tmp/kotune-bench-serving/models}"; MODEL="${2:-kogpt2-base-random}"; C="${3:-8}"; R="${4:-3}"
JARS="${5:-$ROOT}"
PORT=18380; WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
hwm() { awk '/VmHWM/{print int($2/1024)}' "/proc/$1/status"; }
sample() { local pid=$1 max=0 v; while kill -0 "$pid" 2>/dev/null; do v=$(rss "$pid" 2>/dev/null || echo 0)
  (( v > max )) && max=$v && echo $((max / 1024)) > "$WORK/max.$pid"; sleep 0.5; done; }
wait_http() { until curl -sf -o /dev/null "$1"; do sleep 1; done; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# inference-service: limit 4Gi, JAVA_MAX_MEM_RATIO 40 -> -XX:MaxRAMPercentage=40 of 4 GiB = 1638 MiB heap.
java -Xmx1638m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$PORT -Dquarkus.grpc.server.host=127.0.0.1 \
  -Dquarkus.grpc.server.port=$((PORT + 1)) -Dkotune.home="$WORK/home" -Dkotune.inference.models-dir="$MODELS" \
  -Dkotune.inference.follow-training-events=false -Dai.djl.offline=true -Djava.io.tmpdir="$WORK" \
  -jar "$JARS/inference-service/target/quarkus-app/quarkus-run.jar" > "$WORK/inference.log" 2>&1 &
PID=$!; sample $PID & wait_http "http://127.0.0.1:$PORT/v1/models"
echo "inference-service ready: RSS $(( $(rss $PID) / 1024 )) MiB (model $MODEL loaded lazily or at start)"
body="{\"model\":\"$MODEL\",\"prompt\":\"안경이 익숙치 않아서 어지럽고\",\"max_tokens\":64,\"stream\":true,\"temperature\":0,\"stop_at_eos\":false}"
t0=$SECONDS; clients=()
for ((c = 0; c < C; c++)); do
  ( for ((i = 0; i < R; i++)); do curl -sf -N -H 'Content-Type: application/json' -d "$body" \
      "http://127.0.0.1:$PORT/v1/completions" > "$WORK/out.$c.$i" || echo "request failed" >&2; done ) &
  clients+=($!)
done
wait "${clients[@]}"
grep -c '"text"' "$WORK"/out.* | awk -F: '{n += $2} END {print "streamed events: " n}'
echo "inference-service: $((C * R)) requests at concurrency $C in $((SECONDS - t0)) s; peak RSS (VmHWM) $(hwm $PID) MiB"
kill $PID; wait $PID 2>/dev/null || true

# tokenizer-service: limit 1Gi, JAVA_MAX_MEM_RATIO 50 -> 512 MiB heap.
java -Xmx512m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$PORT -Dquarkus.grpc.server.host=127.0.0.1 \
  -Dquarkus.grpc.server.port=$((PORT + 1)) -Dai.djl.offline=true -Djava.io.tmpdir="$WORK" \
  -Dkotune.tokenizer.default-tokenizer="$MODELS/$MODEL" \
  -jar "$JARS/tokenizer-service/target/quarkus-app/quarkus-run.jar" > "$WORK/tokenizer.log" 2>&1 &
PID=$!; wait_http "http://127.0.0.1:$PORT/q/health/ready"; sleep 3
echo "tokenizer-service: ready, idle; peak RSS (VmHWM) $(hwm $PID) MiB"
kill $PID; wait $PID 2>/dev/null || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
