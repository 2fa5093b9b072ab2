#!/usr/bin/env bash
# Generation speed at KoGPT2-base size (125M, random init), CPU, greedy, prompt 16 tokens, 64 new tokens, batch 1 and
# 8, all on the same weights in one run: kotune's engine on both graph flavours (A/B), ONNX Runtime GenAI on kotune's
# default export, and transformers generate() (torch, KV cache on). Prints a markdown table (docs/benchmarks.md,
# "Generation") with tokens/s, time to first token, decode ms/step, ratios, and the batch-1 fraction of the
# memory-bandwidth bound (weight bytes per token / measured read bandwidth, np.dot over 256 MiB).
#
# Usage: bench/generation.sh [--rounds R] [--runs N] [--threads T] [--batches "1 8"] [--skip-hf] [--no-build]
# Needs: conformance/.venv with torch, transformers, onnxruntime-genai (conformance/setup.sh --genai) or PYTHON=...
# Optional: ORT123_PYTHON=a Python with onnxruntime==1.23.2 (kotune's Java runtime version) adds a diagnostic peer:
# the engine's loop in Python on 1.23.2, next to the same loop on the wheel GenAI uses (runtime vs engine effects).
# Outputs under $OUT (default /tmp/kotune-bench-generation): the random checkpoint (made once, never committed), the
# two exports, results.jsonl (one JSON line per peer, batch and round), bandwidth.json, table.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/kotune-bench-generation}"
ROUNDS=3; RUNS=3; THREADS=2; BATCHES="1 8"; SKIP_HF=0; BUILD=1
DEFAULT_FLAVOUR=plain # GraphFlavour.DEFAULT: the faster flavour of the A/B below; ORT GenAI runs this export
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --batches) BATCHES="$2"; shift 2 ;;
    --skip-hf) SKIP_HF=1; shift ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
PY="${PYTHON:-$ROOT/conformance/.venv/bin/python}"
[[ -x "$PY" ]] || { echo "no Python at $PY: run conformance/setup.sh --genai (or set PYTHON)" >&2; exit 1; }
mkdir -p "$OUT"
CKPT="$OUT/kogpt2-base-random"

if [[ $BUILD == 1 ]]; then
  echo "building cli and bench..." >&2
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl cli,bench -am package -DskipTests >&2
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/bench.classpath")"

[[ -f "$CKPT/model.safetensors" ]] || "$PY" "$ROOT/bench/python/generate_peer.py" checkpoint "$CKPT" >&2
for f in fused plain; do
  [[ -f "$OUT/onnx-$f/model.onnx" ]] || java -Xmx3g -jar "$ROOT/cli/target/kotune-cli.jar" export \
    --checkpoint "$CKPT" --out "$OUT/onnx-$f" --flavour "$f" --no-logits-to-keep >&2  # GenAI feeds Optimum's inputs only
done
java -cp "$CP" dev.kotune.bench.generation.MemoryBandwidth --threads "$THREADS" | tee "$OUT/bandwidth.json" >&2
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$PY" "$ROOT/bench/python/generate_peer.py" bandwidth \
  --threads "$THREADS" | tee -a "$OUT/bandwidth.json" >&2

RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
for round in $(seq "$ROUNDS"); do
  for batch in $BATCHES; do
    echo "round $round, batch $batch (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for f in fused plain; do
      java -Xmx2g -cp "$CP" dev.kotune.bench.generation.GenerationBench --model "$OUT/onnx-$f" --batch "$batch" \
        --threads "$THREADS" --runs "$RUNS" --label "$f" 2>/dev/null | tee -a "$RESULTS" >&2
    done
    "$PY" "$ROOT/bench/python/generate_peer.py" genai --model "$OUT/onnx-$DEFAULT_FLAVOUR" --batch "$batch" \
      --threads "$THREADS" --runs "$RUNS" 2>/dev/null | tee -a "$RESULTS" >&2
    "$PY" "$ROOT/bench/python/generate_peer.py" ort --model "$OUT/onnx-$DEFAULT_FLAVOUR" --batch "$batch" \
      --threads "$THREADS" --runs "$RUNS" 2>/dev/null | tee -a "$RESULTS" >&2
    if [[ -n "${ORT123_PYTHON:-}" ]]; then
      "$ORT123_PYTHON" "$ROOT/bench/python/generate_peer.py" ort --model "$OUT/onnx-$DEFAULT_FLAVOUR" \
        --batch "$batch" --threads "$THREADS" --runs "$RUNS" 2>/dev/null | tee -a "$RESULTS" >&2
    fi
    if [[ $SKIP_HF == 0 ]]; then
      "$PY" "$ROOT/bench/python/generate_peer.py" hf --model "$CKPT" --batch "$batch" --threads "$THREADS" \
        --runs "$RUNS" 2>/dev/null | tee -a "$RESULTS" >&2
    fi
  done
done
"$PY" "$ROOT/bench/python/generate_peer.py" table "$RESULTS" --bandwidth "$OUT/bandwidth.json" \
  --config "$CKPT/config.json" --ours "kotune ($DEFAULT_FLAVOUR)" | tee "$OUT/table.md"
