#!/usr/bin/env python3
"""Python peer of the tokenizer benchmark: HF `tokenizers` encode_batch on the nsmc corpus.

Reads the corpus exactly as the Java side does (UTF-8, split on '\\n', final empty string dropped), runs warmup +
timed runs, and writes JSON rows {name, tokens, seconds} for bench/tokenizer.sh to put beside the Java rows.
Use the pinned oracle venv (conformance/setup.sh [--tokenizer-only]): tokenizers==0.23.3.
"""
import argparse
import json
import platform
import sys
import time

import tokenizers
from tokenizers import Tokenizer


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def measure(name, warmup, runs, body):
    tokens = None
    for _ in range(warmup):
        tokens = body()
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        produced = body()
        seconds.append(time.perf_counter() - t0)
        if tokens is not None and produced != tokens:
            raise SystemExit(f"{name}: {produced} tokens, expected {tokens}")
        tokens = produced
    median = sorted(seconds)[len(seconds) // 2] if len(seconds) % 2 else sum(sorted(seconds)[len(seconds) // 2 - 1:len(seconds) // 2 + 1]) / 2
    print(f"  {name:<48} {tokens / median:>12,.0f} tokens/s  (median {median:.3f} s of {[round(s, 3) for s in seconds]})",
          file=sys.stderr)
    return {"name": name, "tokens": tokens, "seconds": seconds, "median_s": median, "tokens_per_s": tokens / median}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    tok = Tokenizer.from_file(a.tokenizer)
    lines = read_lines(a.corpus)

    def batch():
        # What a Python caller does: encode the batch and take the ids.
        return sum(len(e.ids) for e in tok.encode_batch(lines, add_special_tokens=False))

    def single():
        return sum(len(tok.encode(line, add_special_tokens=False).ids) for line in lines)

    rows = [
        measure("tokenizers encode_batch(all lines) + .ids", a.warmup, a.runs, batch),
        measure("tokenizers encode(line), one call per line", a.warmup, a.runs, single),
    ]
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump({"tokenizers": tokenizers.__version__, "python": platform.python_version(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
