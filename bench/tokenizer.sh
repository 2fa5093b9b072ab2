#!/usr/bin/env bash
# Tokenizer encode throughput on the nsmc corpus, in tokens/s: Python `tokenizers` encode_batch (the peer),
# the tokenization library in-process (DJL's native HF tokenizers), and the packaged tokenizer-service over gRPC
# on loopback (batches of 1, 32, 256). Prints a markdown table with ratios (docs/benchmarks.md, "Tokenizer").
#
# Usage: bench/tokenizer.sh [--rounds N] [--runs N] [--grpc-runs N] [--warmup N]
# The paths are measured in interleaved rounds (Python peer, Java in-process, gRPC; again), so that load from other
# processes falls on all of them alike; each path's timed runs of all rounds are pooled and the median reported.
# Needs: ../shared/data (or KOTUNE_SHARED_DIR), a Python with tokenizers==0.23.3 (conformance/setup.sh
# --tokenizer-only, or PYTHON=...). Results (JSON, table, service log) go to $OUT (default /tmp/kotune-bench-tokenizer).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KOTUNE_SHARED_DIR:-$ROOT/../shared}"
TOKENIZER="$SHARED/data/kogpt2/tokenizer.json"
CORPUS="$SHARED/data/nsmc/nsmc_reviews_sample.txt"
OUT="${OUT:-/tmp/kotune-bench-tokenizer}"
ROUNDS=5; RUNS=2; GRPC_RUNS=1; WARMUP=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --grpc-runs) GRPC_RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for f in "$TOKENIZER" "$CORPUS"; do
  [[ -f "$f" ]] || { echo "missing $f (set KOTUNE_SHARED_DIR)" >&2; exit 1; }
done
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  for candidate in "$ROOT/conformance/.venv-tokenizer/bin/python" "$ROOT/conformance/.venv/bin/python"; do
    [[ -x "$candidate" ]] && { PY="$candidate"; break; }
  done
fi
[[ -n "$PY" ]] || { echo "no Python with tokenizers: run conformance/setup.sh --tokenizer-only (or set PYTHON)" >&2; exit 1; }
mkdir -p "$OUT"

if [[ "${NO_BUILD:-0}" != 1 ]]; then  # NO_BUILD=1: use the jars and classes already built
  echo "building tokenizer-service and bench..." >&2
  "$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl tokenizer-service,bench -am package -DskipTests >&2
fi

echo "python peer: $("$PY" -c 'import tokenizers; print("tokenizers", tokenizers.__version__)'); java $(java -version 2>&1 | head -1)" >&2
java -Dai.djl.offline=true -cp "$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/bench.classpath")" \
  dev.kotune.bench.tokenizer.TokenizerBench \
  --tokenizer "$TOKENIZER" --corpus "$CORPUS" \
  --rounds "$ROUNDS" --warmup "$WARMUP" --runs "$RUNS" --grpc-runs "$GRPC_RUNS" \
  --python "$PY" --peer-script "$ROOT/bench/python/tokenizer_peer.py" \
  --service-jar "$ROOT/tokenizer-service/target/quarkus-app/quarkus-run.jar" \
  --service-log "$OUT/tokenizer-service.log" --out "$OUT/results.json" \
  | tee "$OUT/table.md"
