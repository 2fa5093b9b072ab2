#!/usr/bin/env bash
# Training throughput at KoGPT2-base size: kotune (DJL) vs HF Trainer, same config, same run, CPU.
# From the repo root:
#   bench/python/run_training_bench.sh [rounds=3] [steps=4] [warmup=1] [threads=2]
# Each round runs kotune, then HF Trainer (its default optimizer), each in a fresh process: `warmup` untimed steps,
# then `steps` timed ones. Rounds interleave the two so that load from other processes on a shared machine hits both
# alike; the table reports the median step time over all rounds, samples/s = batch / median, and the peak RSS (VmHWM).
# Needs: ./mvnw -B -ntp -o -pl bench -am install -DskipTests, and conformance/.venv (torch + transformers).
set -euo pipefail
rounds=${1:-3}; steps=${2:-4}; warmup=${3:-1}; threads=${4:-2}
cd "$(dirname "$0")/../.."
out=${KOTUNE_BENCH_OUT:-/tmp/kotune-bench-training}; mkdir -p "$out"; rm -f "$out"/*.json
./mvnw -B -ntp -o -q -pl bench dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="bench/target/classes:$(cat "$out/cp.txt")"
for r in $(seq 1 "$rounds"); do
  java -Xmx512m -XX:+UseSerialGC -Dai.djl.offline=true -cp "$cp" dev.kotune.bench.training.TrainingBench \
    "$steps" "$warmup" "$threads" "$out/kotune-$r.json"
  OMP_NUM_THREADS=$threads conformance/.venv/bin/python bench/python/train_peer.py --steps "$steps" \
    --warmup "$warmup" --threads "$threads" --out "$out/hf-$r.json"
done
python3 - "$out" <<'PY'
import json, statistics, sys, pathlib
d = pathlib.Path(sys.argv[1])
def agg(prefix):
    runs = [json.loads(p.read_text()) for p in sorted(d.glob(prefix + "-*.json"))]
    steps = [s for r in runs for s in r["step_seconds"]]
    med = statistics.median(steps)
    return {"impl": runs[0]["impl"], "n": len(steps), "median": med, "min": min(steps), "max": max(steps),
            "sps": runs[0]["batch"] / med, "rss": max(r["peak_rss_mb"] for r in runs)}
k, h = agg("kotune"), agg("hf")
print("| implementation | timed steps | median s/step (min–max) | samples/s | vs HF | peak RSS MiB |")
print("|---|---|---|---|---|---|")
for r in (k, h):
    print(f"| {r['impl']} | {r['n']} | {r['median']:.2f} ({r['min']:.2f}–{r['max']:.2f}) | {r['sps']:.3f} | "
          f"{r['sps'] / h['sps']:.2f}x | {r['rss']:.0f} |")
PY
