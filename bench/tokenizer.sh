#!/usr/bin/env bash
# Tokenizer encode throughput on the nsmc corpus, in tokens/s: Python `tokenizers` encode_batch (the peer),
# the tokenization library in-process (DJL's native HF tokenizers), and the packaged tokenizer-service over gRPC
# on loopback (batches of 1, 32, 256). Prints a markdown table with ratios (docs/benchmarks.md, "Tokenizer").
#
# Usage: bench/tokenizer.sh [--runs N] [--grpc-runs N] [--warmup N]
# Needs: ../shared/data (or KOTUNE_SHARED_DIR), a Python with tokenizers==0.23.3 (conformance/setup.sh
# --tokenizer-only, or PYTHON=...). Results (JSON, table, service log) go to $OUT (default /tmp/kotune-bench-tokenizer).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KOTUNE_SHARED_DIR:-$ROOT/../shared}"
TOKENIZER="$SHARED/data/kogpt2/tokenizer.json"
CORPUS="$SHARED/data/nsmc/nsmc_reviews_sample.txt"
OUT="${OUT:-/tmp/kotune-bench-tokenizer}"
RUNS=5; GRPC_RUNS=3; WARMUP=2
while [[ $# -gt 0 ]]; do
  case "$1" in
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

echo "building tokenizer-service and bench..." >&2
"$ROOT/mvnw" -B -ntp -q -f "$ROOT/pom.xml" -pl tokenizer-service,bench -am package -DskipTests >&2

echo "python peer ($("$PY" -c 'import tokenizers; print("tokenizers", tokenizers.__version__)')):" >&2
"$PY" "$ROOT/bench/python/tokenizer_peer.py" --tokenizer "$TOKENIZER" --corpus "$CORPUS" \
  --warmup "$WARMUP" --runs "$RUNS" --out "$OUT/python.json"

echo "java (in-process, then gRPC against the packaged service):" >&2
java -Dai.djl.offline=true -cp "$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/bench.classpath")" \
  dev.kotune.bench.tokenizer.TokenizerBench \
  --tokenizer "$TOKENIZER" --corpus "$CORPUS" --warmup "$WARMUP" --runs "$RUNS" --grpc-runs "$GRPC_RUNS" \
  --service-jar "$ROOT/tokenizer-service/target/quarkus-app/quarkus-run.jar" \
  --service-log "$OUT/tokenizer-service.log" --peer "$OUT/python.json" --out "$OUT/results.json" \
  | tee "$OUT/table.md"
