#!/usr/bin/env bash
# Decode speed of the int8 weight-only flavour (docs/benchmarks.md, "int8 weight-only flavour"): KoGPT2-base size
# (125M, random init: the same checkpoint as bench/generation.sh), CPU, greedy, prompt 16 tokens, 64 new tokens,
# batch 1 and 8, all peers in one run, rounds interleaving them:
#   kotune (fp32)                 kotune's engine on the default plain export
#   kotune (int8)                 kotune's engine on --flavour int8 (defaults: block 32, accuracy_level 4, LM head int8)
#   onnxruntime-genai (fp32|int8) ONNX Runtime GenAI on the same two exports (without logits_to_keep, which GenAI does
#                                 not feed); skipped with a note when no Python with onnxruntime_genai is given. Its
#                                 model builder (0.18.0) has no GPT2LMHeadModel, so GenAI's int8 is kotune's int8 graph
#   OpenVINO int8 (optimum-intel) is not a peer yet (not installed on the benchmark machine)
# Prints a markdown table: tokens/s, TTFT, decode ms/step, weight MB read per token, paired ratios vs kotune fp32 and
# vs ORT GenAI at the same width, and the batch-1 fraction of the memory-bandwidth bound for each peer's bytes.
#
# Usage: bench/decode.sh [--rounds R] [--runs N] [--threads T] [--batches "1 8"] [--no-build] [--extra-int8 "ARGS"]
# Needs: a Python with numpy (bandwidth, table); GENAI_PYTHON=a Python with onnxruntime-genai 0.18.0 for the GenAI
# peers (conformance/setup.sh --genai makes conformance/.venv, the default); CKPT=an HF checkpoint dir to reuse
# (default: $OUT/kogpt2-base-random, made with generate_peer.py checkpoint, which needs torch + transformers).
# Outputs under $OUT (default /tmp/kotune-bench-decode): exports, results.jsonl, bandwidth.json, table.md, uptime.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/kotune-bench-decode}"
ROUNDS=3; RUNS=3; THREADS=2; BATCHES="1 8"; BUILD=1; EXTRA_INT8=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --batches) BATCHES="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --extra-int8) EXTRA_INT8="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
GENAI_PY="${GENAI_PYTHON:-$ROOT/conformance/.venv/bin/python}"
PY="${PYTHON:-$GENAI_PY}"
[[ -x "$PY" ]] || PY=python3
mkdir -p "$OUT"
CKPT="${CKPT:-$OUT/kogpt2-base-random}"

if [[ $BUILD == 1 ]]; then
  echo "building cli and bench..." >&2
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl cli,bench -am package -DskipTests >&2
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/bench.classpath")"
CLI=(java -Xmx3g -jar "$ROOT/cli/target/kotune-cli.jar" export --checkpoint "$CKPT")

[[ -f "$CKPT/model.safetensors" ]] || "$PY" "$ROOT/bench/python/generate_peer.py" checkpoint "$CKPT" >&2
# shellcheck disable=SC2086 # EXTRA_INT8 is a list of export options
"${CLI[@]}" --out "$OUT/kotune-fp32" --flavour plain >&2
"${CLI[@]}" --out "$OUT/kotune-int8" --flavour int8 $EXTRA_INT8 >&2
HAVE_GENAI=0
if "$GENAI_PY" -c "import onnxruntime_genai" 2>/dev/null; then
  HAVE_GENAI=1
  "${CLI[@]}" --out "$OUT/genai-fp32" --flavour plain --no-logits-to-keep >&2
  "${CLI[@]}" --out "$OUT/genai-int8" --flavour int8 $EXTRA_INT8 --no-logits-to-keep >&2
else
  echo "NOTE: no onnxruntime_genai in $GENAI_PY: the ORT GenAI peers are skipped (set GENAI_PYTHON)" >&2
fi
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$PY" "$ROOT/bench/python/generate_peer.py" bandwidth \
  --threads "$THREADS" | tee "$OUT/bandwidth.json" >&2

RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
echo "before: $(uptime)" | tee "$OUT/uptime.txt" >&2
for round in $(seq "$ROUNDS"); do
  for batch in $BATCHES; do
    echo "round $round, batch $batch (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for w in fp32 int8; do
      java -Xmx2g -cp "$CP" dev.kotune.bench.generation.GenerationBench --model "$OUT/kotune-$w" --batch "$batch" \
        --threads "$THREADS" --runs "$RUNS" --label "$w" 2>/dev/null | tee -a "$RESULTS" >&2
      if [[ $HAVE_GENAI == 1 ]]; then
        "$GENAI_PY" "$ROOT/bench/python/generate_peer.py" genai --model "$OUT/genai-$w" --batch "$batch" \
          --threads "$THREADS" --runs "$RUNS" --label "$w" 2>/dev/null | tee -a "$RESULTS" >&2 \
          || echo "NOTE: onnxruntime-genai ($w) failed at batch $batch" >&2
      fi
    done
  done
done
echo "after: $(uptime)" | tee -a "$OUT/uptime.txt" >&2
"$PY" "$ROOT/bench/python/generate_peer.py" decode-table "$RESULTS" --bandwidth "$OUT/bandwidth.json" \
  --export "kotune (fp32)=$OUT/kotune-fp32" --export "kotune (int8)=$OUT/kotune-int8" | tee "$OUT/table.md"
cat "$OUT/uptime.txt"
