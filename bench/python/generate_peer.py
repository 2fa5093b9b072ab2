#!/usr/bin/env python3
"""Generation benchmark peers for bench/generation.sh (run OUTSIDE CI, with conformance/.venv).

  generate_peer.py checkpoint OUT            # random-init KoGPT2-base-size GPT-2 (125M, seed 0) -> HF dir (not committed)
  generate_peer.py hf    --model CKPT  ...   # transformers generate(), torch, KV cache on
  generate_peer.py genai --model ONNXDIR ... # ONNX Runtime GenAI on kotune's export
  generate_peer.py ort   --model ONNXDIR ... # diagnostic: a bare Python onnxruntime loop on the same export
  generate_peer.py bandwidth --threads T      # read bandwidth: np.dot(a, a) over 256 MiB (BLAS, T threads)
  generate_peer.py profile TRACE.json        # ORT per-op trace (GenerationBench --profile) summed by op type
  generate_peer.py table RESULTS.jsonl --bandwidth BW.json --config CKPT/config.json   # markdown table
  generate_peer.py decode-table RESULTS.jsonl --bandwidth BW.json --export 'kotune (int8)=DIR' ...  # bench/decode.sh

Every run: greedy, prompt of --prompt-len tokens (ids from the same formula as the Java bench), exactly --new tokens
(min_new_tokens = max_new_tokens, so EOS cannot end a row early), --threads intra-op threads, --runs timed runs after
one warm-up; prints one JSON line: tokens/s (new tokens of all rows / wall time of the median run), time to first
token (the first step: prefill + first token) and decode step times (every later step), median and 10th percentile
over all runs (on a shared machine the 10th percentile estimates uncontended speed). Same protocol as
dev.kotune.bench.generation.GenerationBench.
"""
import argparse
import json
import statistics
import sys
import time


def prompt_ids(batch: int, length: int) -> list[list[int]]:
    # same formula as dev.kotune.bench.generation.GenerationBench.promptIds
    return [[100 + (b * 7919 + j * 104729) % 50000 for j in range(length)] for b in range(batch)]


def cmd_checkpoint(a) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=51200, n_positions=1024, n_embd=768, n_layer=12, n_head=12, bos_token_id=0,
                     eos_token_id=1, pad_token_id=3)
    model = GPT2LMHeadModel(cfg).eval()
    model.save_pretrained(a.out)
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {a.out}: {n / 1e6:.1f}M parameters (random init, seed 0)")


def p10(x: list[float]) -> float:
    s = sorted(x)
    return s[max(0, -(-len(s) // 10) - 1)]  # nearest rank, as GenerationBench.percentile(x, 0.1)


def report(peer: str, a, runs: list[list[float]], extra: dict) -> None:
    """runs: per run, the time of every step (step 0 = setup + prefill + first token)."""
    totals = [sum(r) for r in runs]
    ttfts = [r[0] for r in runs]
    steps = [t for r in runs for t in r[1:]]
    out = {"peer": peer, "batch": a.batch, "prompt_len": a.prompt_len, "new_tokens": a.new, "threads": a.threads,
           "runs": a.runs, "tokens_per_s": a.batch * a.new / statistics.median(totals),
           "ttft_ms": 1000 * statistics.median(ttfts), "ttft_p10_ms": 1000 * p10(ttfts),
           "decode_ms": 1000 * statistics.median(steps), "decode_p10_ms": 1000 * p10(steps),
           "total_ms": 1000 * statistics.median(totals), "all_total_ms": [round(1000 * t, 1) for t in totals], **extra}
    print(json.dumps(out))


def cmd_hf(a) -> None:
    import torch
    import transformers
    from transformers import GPT2LMHeadModel, StoppingCriteria, StoppingCriteriaList
    torch.set_num_threads(a.threads)
    model = GPT2LMHeadModel.from_pretrained(a.model).eval()
    ids = torch.tensor(prompt_ids(a.batch, a.prompt_len))
    mask = torch.ones_like(ids)

    class StepClock(StoppingCriteria):
        """Called by generate() once per new token, after it is appended: a timestamp per step."""

        def __init__(self):
            self.stamps = []

        def __call__(self, input_ids, scores, **kwargs):
            self.stamps.append(time.perf_counter())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool)

    def run(n: int):
        clock = StepClock()
        with torch.inference_mode():
            t0 = time.perf_counter()
            out = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=n,
                                 min_new_tokens=n, pad_token_id=3, use_cache=True,
                                 stopping_criteria=StoppingCriteriaList([clock]))
            end = time.perf_counter()
        assert out.shape == (a.batch, a.prompt_len + n), out.shape
        assert len(clock.stamps) == n, len(clock.stamps)
        stamps = [t0] + clock.stamps[:-1] + [end]  # the last step also pays generate()'s epilogue
        return [b - a_ for a_, b in zip(stamps, stamps[1:])], out

    run(a.new)  # warm-up
    runs = []
    for _ in range(a.runs):
        steps, out = run(a.new)
        runs.append(steps)
    report("transformers", a, runs, {"torch": torch.__version__, "transformers": transformers.__version__,
                                     "first_row_tail": out[0, -8:].tolist()})


def cmd_genai(a) -> None:
    import numpy as np
    import onnxruntime_genai as og
    cfg = og.Config(a.model)
    cfg.overlay(json.dumps({"model": {"decoder": {"session_options": {"intra_op_num_threads": a.threads,
                                                                      "inter_op_num_threads": 1}}}}))
    model = og.Model(cfg)
    ids = np.array(prompt_ids(a.batch, a.prompt_len), dtype=np.int32)
    total_len = a.prompt_len + a.new

    def run(n: int):
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=a.prompt_len + n, min_length=a.prompt_len + n, do_sample=False,
                                  batch_size=a.batch)
        steps = []
        t0 = time.perf_counter()
        gen = og.Generator(model, params)
        gen.append_tokens(ids)  # runs the prompt and yields the first token's logits
        gen.generate_next_token()
        steps.append(time.perf_counter() - t0)
        while not gen.is_done():
            t0 = time.perf_counter()
            gen.generate_next_token()
            steps.append(time.perf_counter() - t0)
        seq = [list(gen.get_sequence(b)) for b in range(a.batch)]
        assert all(len(s) == a.prompt_len + n for s in seq), [len(s) for s in seq]
        return steps, seq

    run(a.new)  # warm-up
    runs = []
    for _ in range(a.runs):
        steps, seq = run(a.new)
        runs.append(steps)
    assert total_len == len(seq[0]) and len(runs[0]) == a.new, (len(seq[0]), len(runs[0]))
    peer = f"onnxruntime-genai ({a.label})" if a.label else "onnxruntime-genai"
    report(peer, a, runs, {"onnxruntime_genai": og.__version__,
                                          "first_row_tail": [int(x) for x in seq[0][-8:]]})


def cmd_ort(a) -> None:
    """The engine's loop in Python on the onnxruntime wheel GenAI uses: separates runtime version from engine code."""
    import numpy as np
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(f"{a.model}/model.onnx", so, providers=["CPUExecutionProvider"])
    layers = sum(1 for i in sess.get_inputs() if i.name.endswith(".key"))
    heads, head = sess.get_inputs()[3].shape[1], sess.get_inputs()[3].shape[3]
    outs = [o.name for o in sess.get_outputs()]
    ids0 = np.array(prompt_ids(a.batch, a.prompt_len), dtype=np.int64)

    def run(n: int):
        steps = []
        t0 = time.perf_counter()
        empty = ort.OrtValue.ortvalue_from_numpy(np.zeros((a.batch, heads, 0, head), np.float32))
        past = {f"past_key_values.{i}.{kv}": empty for i in range(layers) for kv in ("key", "value")}
        ids, total, seq = ids0, a.prompt_len, [ids0]
        for step in range(n):
            t = ids.shape[1]
            feeds = {"input_ids": ort.OrtValue.ortvalue_from_numpy(ids),
                     "attention_mask": ort.OrtValue.ortvalue_from_numpy(np.ones((a.batch, total), np.int64)),
                     "position_ids": ort.OrtValue.ortvalue_from_numpy(
                         np.tile(np.arange(total - t, total, dtype=np.int64), (a.batch, 1))), **past}
            res = sess.run_with_ort_values(outs, feeds)
            logits = res[0].numpy()[:, -1, :]  # (B, V)
            nxt = logits.argmax(-1).astype(np.int64)[:, None]
            past = {f"past_key_values.{i}.{kv}": res[1 + 2 * i + (kv == "value")]
                    for i in range(layers) for kv in ("key", "value")}
            ids, total = nxt, total + 1
            seq.append(nxt)
            now = time.perf_counter()
            steps.append(now - t0)
            t0 = now
        return steps, np.concatenate(seq, axis=1)

    run(a.new)
    runs = []
    for _ in range(a.runs):
        steps, seq = run(a.new)
        runs.append(steps)
    report(f"onnxruntime {ort.__version__} (python loop)", a, runs, {"first_row_tail": seq[0, -8:].tolist()})


def cmd_bandwidth(a) -> None:
    """Read bandwidth as a decode step needs it: BLAS dot products of a 256 MiB float32 vector with itself (vectorised
    passes that only load), --threads Python threads on disjoint parts (numpy releases the GIL; BLAS itself runs one
    thread each: the script sets OPENBLAS_NUM_THREADS=1), best of 10."""
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np
    x = np.random.default_rng(0).random(64 << 20, dtype=np.float32)
    parts = np.array_split(x, a.threads)
    best = 0.0
    with ThreadPoolExecutor(a.threads) as pool:
        for _ in range(10):
            t0 = time.perf_counter()
            list(pool.map(lambda v: np.dot(v, v), parts))
            best = max(best, x.nbytes / (time.perf_counter() - t0) / 1e9)
    print(json.dumps({"read_gb_per_s": round(best, 2), "threads": a.threads, "bytes": x.nbytes,
                      "method": f"np.dot(v, v) on {a.threads} parts in {a.threads} threads, float32, 256 MiB, best of 10"}))


def cmd_profile(a) -> None:
    """Sums an ONNX Runtime profiler trace by op type, separately for the prefill run and the decode runs."""
    events = json.load(open(a.trace))
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    nodes = [e for e in events if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time")]
    total_run = sum(e["dur"] for e in runs)
    by_op: dict = {}
    for e in nodes:
        op = e["args"].get("op_name", "?")
        by_op[op] = by_op.get(op, 0) + e["dur"]
    kernels = sum(by_op.values())
    print(json.dumps({"model_runs": len(runs), "model_run_ms": round(total_run / 1000, 1),
                      "kernel_ms": round(kernels / 1000, 1),
                      "share_of_kernel_time": {k: round(v / kernels, 3) for k, v in
                                               sorted(by_op.items(), key=lambda kv: -kv[1])}}))


def weight_bytes_per_token(cfg: dict) -> int:
    """fp32 bytes a batch-1 decode step must read: every block weight and bias, ln_f, and the tied LM head (wte read
    in full by the logits Gemm); the embedding lookups read one row of wte/wpe and are left out."""
    v, c, layers = cfg["vocab_size"], cfg["n_embd"], cfg["n_layer"]
    inner = cfg.get("n_inner") or 4 * c
    per_layer = (c * 3 * c + 3 * c) + (c * c + c) + (c * inner + inner) + (inner * c + c) + 4 * c  # attn, mlp, 2 LN
    return 4 * (v * c + layers * per_layer + 2 * c)


def cmd_table(a) -> None:
    rows = []
    for f in a.results:
        rows += [json.loads(line) for line in open(f) if line.strip()]
    bw = {}
    for line in open(a.bandwidth):
        if line.strip():
            bw.update(json.loads(line))
    cfg = json.load(open(a.config))
    wbytes = weight_bytes_per_token(cfg)
    bound = bw["read_gb_per_s"] * 1e9 / wbytes  # tokens/s at batch 1 if every weight byte is streamed once per token
    groups: dict = {}
    for r in rows:  # in file order: the i-th row of a (peer, batch) is from round i, run next to the others of round i
        groups.setdefault((r["peer"], r["batch"]), []).append(r)
    med = statistics.median
    stats = {}
    for key, rs in groups.items():
        n = rs[0]["new_tokens"]
        ttft_p10 = med(r["ttft_p10_ms"] for r in rs)
        dec_p10 = med(r["decode_p10_ms"] for r in rs)
        stats[key] = {"tps": med(r["tokens_per_s"] for r in rs), "ttft": med(r["ttft_ms"] for r in rs),
                      "dec": med(r["decode_ms"] for r in rs), "dec_p10": dec_p10, "rounds": len(rs),
                      "tps_p10": key[1] * n * 1000 / (ttft_p10 + (n - 1) * dec_p10), "all": [r["tokens_per_s"] for r in rs]}
    peers = sorted({p for p, _ in stats}, key=lambda p: (not p.startswith("kotune"), p != a.ours, p))

    def paired(x, ref):
        """Median over rounds of (this peer's tokens/s / the reference's tokens/s in the same round)."""
        if not ref:
            return ""
        ratios = [u / v for u, v in zip(x["all"], ref["all"])]
        return f"{med(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"

    print("| peer | batch | tokens/s | TTFT ms | decode ms/step | decode ms/step (p10) | vs transformers | vs ORT GenAI "
          "| bandwidth-bound fraction |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for batch in sorted({b for _, b in stats}):
        for p in peers:
            if (p, batch) not in stats:
                continue
            x = stats[(p, batch)]
            hf = stats.get(("transformers", batch)) if p != "transformers" else None
            og = stats.get(("onnxruntime-genai", batch)) if p != "onnxruntime-genai" else None
            frac = f"{x['tps'] / bound:.0%} (p10 {x['tps_p10'] / bound:.0%})" if batch == 1 else ""
            name = f"**{p}**" if p == a.ours else p
            print(f"| {name} | {batch} | {x['tps']:.1f} | {x['ttft']:.0f} | {x['dec']:.1f} | {x['dec_p10']:.1f} "
                  f"| {paired(x, hf)} | {paired(x, og)} | {frac} |")
    print()
    print(f"Weights read per batch-1 token: {wbytes / 1e6:.1f} MB (fp32); read bandwidth {bw['read_gb_per_s']:.1f} GB/s "
          f"({bw['threads']} threads; copy: {bw.get('copy_gb_per_s', float('nan')):.1f} GB/s read + write) -> bound "
          f"{bound:.1f} tokens/s ({1000 / bound:.1f} ms/token). Medians over {max(x['rounds'] for x in stats.values())} "
          f"rounds; ratios: median (min-max) over rounds of the per-round ratio; p10 = 10th percentile of decode step "
          f"times; bandwidth fraction = tokens/s / bound (p10: from TTFT p10 + 63 decode steps at p10).")


def export_bytes_per_token(export_dir: str) -> int:
    """Weight bytes a batch-1 decode step of a kotune export reads: weight_bytes_per_token for fp32; for a quantized
    export (kotune.json onnx.quantization) the linear layers (and the LM head when quantized) at bits/8 bytes per weight
    plus one fp32 scale per block, biases and LayerNorms fp32."""
    meta = json.load(open(f"{export_dir}/kotune.json"))
    cfg = meta["config"]
    q = meta.get("onnx", {}).get("quantization")
    if not q:
        return weight_bytes_per_token(cfg)
    v, c, layers = cfg["vocab_size"], cfg["n_embd"], cfg["n_layer"]
    inner = cfg.get("n_inner") or 4 * c
    per_weight = q["bits"] / 8 + 4 / q["block_size"]
    linear = c * 3 * c + c * c + c * inner + inner * c
    small = 3 * c + c + inner + c + 4 * c  # biases and the two LayerNorms, fp32
    head = v * c * (per_weight if "lm_head" in q["quantized"] else 4)
    return int(layers * (linear * per_weight + 4 * small) + head + 4 * 2 * c)


def cmd_decode_table(a) -> None:
    """bench/decode.sh's table: per peer and batch, tokens/s, decode ms/step, weight bytes per token, the batch-1
    fraction of the bandwidth bound for that peer's bytes, and paired ratios against kotune fp32 and against ORT GenAI
    on the export of the same width."""
    rows = []
    for f in a.results:
        rows += [json.loads(line) for line in open(f) if line.strip()]
    bw = {}
    for line in open(a.bandwidth):
        if line.strip():
            bw.update(json.loads(line))
    exports = dict(e.split("=", 1) for e in a.export)
    wbytes = {peer: export_bytes_per_token(d) for peer, d in exports.items()}
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["peer"], r["batch"]), []).append(r)
    med = statistics.median
    stats = {k: {"tps": med(r["tokens_per_s"] for r in rs), "dec": med(r["decode_ms"] for r in rs),
                 "dec_p10": med(r["decode_p10_ms"] for r in rs), "ttft": med(r["ttft_ms"] for r in rs),
                 "all": [r["tokens_per_s"] for r in rs], "rounds": len(rs)} for k, rs in groups.items()}

    def paired(x, ref):
        if not ref:
            return ""
        ratios = [u / v for u, v in zip(x["all"], ref["all"])]
        return f"{med(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"

    def width(peer):
        return "int8" if "int8" in peer else "fp32"

    peers = list(dict.fromkeys(p for p, _ in groups))
    print("| peer | batch | tokens/s | TTFT ms | decode ms/step | decode ms/step (p10) | weight MB/token "
          "| vs kotune fp32 | vs ORT GenAI, same width | bandwidth-bound fraction |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for batch in sorted({b for _, b in stats}):
        for p in peers:
            if (p, batch) not in stats:
                continue
            x = stats[(p, batch)]
            fp32 = stats.get((a.fp32, batch)) if p != a.fp32 else None
            og_peer = f"onnxruntime-genai ({width(p)})"
            og = stats.get((og_peer, batch)) if p != og_peer else None
            wb = wbytes.get(p) or wbytes.get(f"kotune ({width(p)})")
            frac = f"{x['tps'] * wb / (bw['read_gb_per_s'] * 1e9):.0%}" if batch == 1 and wb else ""
            mb = f"{wb / 1e6:.1f}" if wb else ""
            print(f"| {p} | {batch} | {x['tps']:.1f} | {x['ttft']:.0f} | {x['dec']:.1f} | {x['dec_p10']:.1f} | {mb} "
                  f"| {paired(x, fp32)} | {paired(x, og)} | {frac} |")
    print()
    print(f"Read bandwidth {bw['read_gb_per_s']:.1f} GB/s ({bw['threads']} threads); bandwidth-bound fraction = tokens/s x "
          f"weight bytes per token / bandwidth (batch 1; ORT GenAI reads the bytes of the export it runs). Medians over "
          f"{max(x['rounds'] for x in stats.values())} rounds; ratios: median (min-max) over rounds of the per-round "
          f"ratio.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("checkpoint")
    c.add_argument("out")
    c.set_defaults(fn=cmd_checkpoint)
    for name, fn in (("hf", cmd_hf), ("genai", cmd_genai), ("ort", cmd_ort)):
        p = sub.add_parser(name)
        p.add_argument("--model", required=True)
        p.add_argument("--batch", type=int, default=1)
        p.add_argument("--prompt-len", type=int, default=16)
        p.add_argument("--new", type=int, default=64)
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--runs", type=int, default=3)
        p.add_argument("--label", default="", help="genai: peer name suffix, e.g. int8 (bench/decode.sh)")
        p.set_defaults(fn=fn)
    bw = sub.add_parser("bandwidth")
    bw.add_argument("--threads", type=int, default=1)
    bw.set_defaults(fn=cmd_bandwidth)
    pr = sub.add_parser("profile")
    pr.add_argument("trace")
    pr.set_defaults(fn=cmd_profile)
    t = sub.add_parser("table")
    t.add_argument("results", nargs="+")
    t.add_argument("--bandwidth", required=True)
    t.add_argument("--config", required=True)
    t.add_argument("--ours", default="kotune (plain)")
    t.set_defaults(fn=cmd_table)
    d = sub.add_parser("decode-table")
    d.add_argument("results", nargs="+")
    d.add_argument("--bandwidth", required=True)
    d.add_argument("--export", action="append", default=[], help="PEER=EXPORT_DIR: weight bytes per token of a peer")
    d.add_argument("--fp32", default="kotune (fp32)")
    d.set_defaults(fn=cmd_decode_table)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
