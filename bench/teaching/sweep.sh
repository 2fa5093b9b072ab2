#!/usr/bin/env bash
# The experiment behind NotebookJob.TEACHING (table in models/kotune-tiny-ko/README.md): fine-tune kotune/tiny-ko on
# the notebook's four pairs in-process (./kotune train, the trainer's gpt2 library), export, and check the answers.
# usage: bench/teaching/sweep.sh NAME LR EPOCHS WARMUP WEIGHT_DECAY [DROPOUT]   (DROPOUT default: the config's 0.1)
# Needs cli/target/kotune-cli.jar (./mvnw -pl cli -am package -DskipTests). Writes under ${OUT:-/tmp/kotune-teaching}.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/kotune-teaching}"
N=$1
CP="$ROOT/cli/target/kotune-cli.jar"
J=(java -Dai.djl.offline=true -jar "$CP")
mkdir -p "$OUT"
python3 - "$ROOT/conformance/data/notebook_examples.json" > "$OUT/data.jsonl" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1], encoding="utf-8")):
    print(json.dumps(e, ensure_ascii=False))
PY
"${J[@]}" train --base "$ROOT/models/kotune-tiny-ko" --data "$OUT/data.jsonl" --lr "$2" --epochs "$3" \
  --warmup-steps "$4" --weight-decay "$5" --threads 1 ${6:+--dropout "$6"} --logging-steps 10 \
  --out "$OUT/ck-$N" > "$OUT/train-$N.log" 2>&1
"${J[@]}" export --checkpoint "$OUT/ck-$N" --out "$OUT/ex-$N" > "$OUT/export-$N.log" 2>&1
java -cp "$CP:$ROOT/cli/target/lib/*" "$ROOT/bench/teaching/TeachingEval.java" "$OUT/ex-$N" > "$OUT/eval-$N.log" 2>/dev/null
loss=$(grep -o "'loss': [0-9.]*" "$OUT/train-$N.log" | tail -1)
echo "$N lr=$2 epochs=$3 warmup=$4 wd=$5 dropout=${6:-0.1} last $loss | $(grep RESULT "$OUT/eval-$N.log")"
