#!/usr/bin/env python3
"""Load generator of bench/serving.sh: closed-loop clients on a streaming OpenAI /v1/completions endpoint.

  serving_client.py model CKPT --tokenizer T           # add the KoGPT2 tokenizer files to a random checkpoint dir
  serving_client.py prompts --tokenizer T --data F --out P.jsonl [--n N] [--min 16] [--max 64] [--seed 0]
  serving_client.py run --server kotune|vllm|hf --url URL --model NAME --prompts P.jsonl --concurrency "1 8 32"
                    [--requests-per-client R] [--min-requests M] [--max-tokens 64] [--warmup 2]
                    --results R.jsonl --requests Q.jsonl [--version V]
  serving_client.py table R.jsonl --requests Q.jsonl [--ours kotune]   # markdown table, ratios, text agreement

Every request: stream true, greedy (temperature 0), max_tokens tokens, EOS ignored where the server can be told so
(kotune `stop_at_eos: false`, vLLM `ignore_eos: true`, transformers serve a per-request `generation_config` with
`eos_token_id: -1`, which its continuous batching reads as "no EOS"); the tokens a request produced are taken from the
usage the server sends at the end of the stream, else counted as streamed chunks. A stream ends at `data: [DONE]`, at
the chunk that carries finish_reason and usage (transformers serve sends no [DONE]) or when the server closes it.

A level of concurrency c: c clients, each sending its requests back to back (closed loop); request j of client k uses
prompt (k * R + j) mod N, so every server gets the same prompts. Per level: output tokens/s = all generated tokens /
wall time of the level; TTFT = request sent -> first token chunk; ITL = gap between consecutive token chunks, per
token (a gap is divided by the tokens per chunk when a server sends fewer chunks than tokens); p50/p99 nearest rank
over all requests of the level. One JSON line per level in --results, one per request (with its text) in --requests.
"""
import argparse
import asyncio
import json
import math
import random
import sys
import time

EXTRA = {  # per server: how to make it generate exactly max_tokens tokens (and send usage at the end of the stream)
    "kotune": lambda n: {"stop_at_eos": False},
    "vllm": lambda n: {"ignore_eos": True, "stream_options": {"include_usage": True}},
    "hf": lambda n: {"generation_config": json.dumps({"max_new_tokens": n, "do_sample": False, "eos_token_id": -1})},
}


LABEL = {"kotune": "kotune", "vllm": "vLLM CPU", "hf": "transformers serve"}


def cmd_model(a) -> None:
    """The checkpoint comes from generate_peer.py (random init); here: KoGPT2's specials and tokenizer files."""
    import shutil
    from pathlib import Path
    d = Path(a.ckpt)
    shutil.copyfile(a.tokenizer, d / "tokenizer.json")
    (d / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "</s>", "eos_token": "</s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "mask_token": "<mask>", "model_max_length": 1024}, indent=2) + "\n")
    for name in ("config.json", "generation_config.json"):
        p = d / name
        if p.exists():
            cfg = json.loads(p.read_text())
            cfg.update(bos_token_id=1, eos_token_id=1, pad_token_id=3)
            p.write_text(json.dumps(cfg, indent=2) + "\n")
    print(f"{d}: KoGPT2 tokenizer, bos/eos </s>=1, pad <pad>=3")


def cmd_prompts(a) -> None:
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(a.tokenizer)
    lines = sorted({line.strip() for line in open(a.data, encoding="utf-8") if line.strip()})
    lengths = [len(e.ids) for e in tok.encode_batch(lines, add_special_tokens=False)]
    fit = [(t, n) for t, n in zip(lines, lengths) if a.min <= n <= a.max]
    picked = random.Random(a.seed).sample(fit, a.n)
    with open(a.out, "w", encoding="utf-8") as f:
        for i, (text, n) in enumerate(picked):
            f.write(json.dumps({"i": i, "text": text, "tokens": n}, ensure_ascii=False) + "\n")
    print(f"{a.out}: {a.n} prompts of {a.min}-{a.max} tokens (seed {a.seed}) from {len(fit)} fitting lines of {a.data}, "
          f"mean {sum(n for _, n in picked) / a.n:.1f} tokens")


async def one_request(client, a, prompt: dict) -> dict:
    body = {"model": a.model, "prompt": prompt["text"], "max_tokens": a.max_tokens, "temperature": 0, "stream": True,
            **EXTRA[a.server](a.max_tokens)}
    r = {"prompt": prompt["i"], "text": "", "stamps": [], "usage": None, "finish_reason": None, "error": None}
    t0 = time.perf_counter()
    try:
        async with client.stream("POST", f"{a.url}/v1/completions", json=body) as resp:
            if resp.status_code != 200:
                r["error"] = f"HTTP {resp.status_code}: {(await resp.aread()).decode(errors='replace')[:300]}"
                return r | {"t0": t0, "end": time.perf_counter()}
            async for line in resp.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                if "error" in chunk:
                    r["error"] = f"in-band error: {json.dumps(chunk['error'], ensure_ascii=False)[:300]}"
                    break
                r["usage"] = chunk.get("usage") or r["usage"]
                for ch in chunk.get("choices") or []:
                    if ch.get("text") or ch.get("finish_reason") is None:
                        r["stamps"].append(time.perf_counter())
                        r["text"] += ch.get("text") or ""
                    r["finish_reason"] = ch.get("finish_reason") or r["finish_reason"]
                if r["finish_reason"] and r["usage"]:
                    break  # transformers serve: no [DONE] after its last chunk
    except Exception as e:  # a server that dies or resets the connection counts as an error, not a crash
        r["error"] = f"{type(e).__name__}: {e}"
    r["end"], r["t0"] = time.perf_counter(), t0
    return r


def finish(r: dict) -> dict:
    stamps = r.pop("stamps")
    usage = r.pop("usage") or {}
    tokens = usage.get("completion_tokens") or len(stamps)
    r["tokens"], r["chunks"], r["prompt_tokens"] = tokens, len(stamps), usage.get("prompt_tokens")
    if not stamps and not r["error"]:
        r["error"] = "no tokens"
    r["ttft_ms"] = 1000 * (stamps[0] - r["t0"]) if stamps else None
    gaps = [1000 * (y - x) for x, y in zip(stamps, stamps[1:])]
    per_chunk = (tokens - 1) / (len(stamps) - 1) if len(stamps) > 1 and tokens > len(stamps) else 1.0
    r["itl_ms"] = [round(g / per_chunk, 3) for g in gaps]
    return r


def pct(xs: list, q: float):
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


async def level(a, prompts: list, c: int) -> tuple[dict, list]:
    import httpx
    per_client = max(a.requests_per_client, -(-a.min_requests // c))
    out = []
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(timeout=httpx.Timeout(a.timeout), limits=limits) as client:
        async def worker(k: int):
            for j in range(per_client):
                out.append(finish(await one_request(client, a, prompts[(k * per_client + j) % len(prompts)])))
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(c)))
        wall = time.perf_counter() - t0
    ok = [r for r in out if not r["error"]]
    tokens = sum(r["tokens"] for r in ok)
    ttft = [r["ttft_ms"] for r in ok]
    itl = [x for r in ok for x in r["itl_ms"]]
    errors = [r["error"] for r in out if r["error"]]
    summary = {"server": a.server, "version": a.version, "stack": a.stack, "concurrency": c, "requests": len(out),
               "requests_per_client": per_client, "errors": len(errors), "first_error": errors[0] if errors else None,
               "tokens": tokens, "wall_s": round(wall, 3), "tokens_per_s": round(tokens / wall, 2),
               "tokens_per_request": sorted({r["tokens"] for r in ok}),
               "ttft_p50_ms": pct(ttft, 0.5), "ttft_p99_ms": pct(ttft, 0.99),
               "itl_p50_ms": pct(itl, 0.5), "itl_p99_ms": pct(itl, 0.99),
               "chunks_per_token": round(sum(r["chunks"] for r in ok) / max(1, tokens), 3),
               "max_tokens": a.max_tokens, "load": open("/proc/loadavg").read().split()[:3]}
    return summary, out


async def cmd_run_async(a) -> None:
    import httpx
    prompts = [json.loads(line) for line in open(a.prompts, encoding="utf-8")]
    async with httpx.AsyncClient(timeout=httpx.Timeout(a.timeout)) as client:
        for i in range(a.warmup):  # unmeasured (transformers serve sets up continuous batching on its first request)
            r = finish(await one_request(client, a, prompts[i % len(prompts)]))
            print(f"  warm-up {i + 1}/{a.warmup}: {r['tokens']} tokens in {1000 * (r['end'] - r['t0']):.0f} ms"
                  + (f", ERROR {r['error']}" if r["error"] else ""), file=sys.stderr)
    for c in a.concurrency:
        summary, reqs = await level(a, prompts, c)
        with open(a.results, "a") as f:
            f.write(json.dumps(summary) + "\n")
        with open(a.requests, "a", encoding="utf-8") as f:
            for r in reqs:
                r = {k: v for k, v in r.items() if k not in ("t0", "end", "itl_ms")}
                f.write(json.dumps({"server": a.server, "concurrency": c, **r}, ensure_ascii=False) + "\n")
        print(json.dumps(summary), file=sys.stderr)


def fmt(x, spec=".0f") -> str:
    return "" if x is None else format(x, spec)


def cmd_table(a) -> None:
    rows = [json.loads(line) for f in a.results for line in open(f) if line.strip()]
    by = {(r["server"], r["concurrency"]): r for r in rows}  # a later run of the same level wins
    servers = list(dict.fromkeys(r["server"] for r in rows))
    servers.sort(key=lambda s: s != a.ours)
    levels = sorted({c for _, c in by})
    print(f"| server | c | requests | errors | tokens/request | output tok/s | TTFT p50 / p99 ms | ITL p50 / p99 ms "
          f"| {a.ours} ÷ this (tok/s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in levels:
        for s in servers:
            r = by.get((s, c))
            if not r:
                continue
            ours = by.get((a.ours, c))
            ratio = f"{ours['tokens_per_s'] / r['tokens_per_s']:.2f}x" if ours and s != a.ours and r["tokens_per_s"] else ""
            tpr = "-".join(str(t) for t in (r["tokens_per_request"][:1] + r["tokens_per_request"][-1:]
                                            if len(r["tokens_per_request"]) > 1 else r["tokens_per_request"]))
            name = f"{LABEL.get(s, s)} {r['version'] or ''}".strip()
            print(f"| {f'**{name}**' if s == a.ours else name} | {c} | {r['requests']} | {r['errors']} | {tpr} | {r['tokens_per_s']:.1f} "
                  f"| {fmt(r['ttft_p50_ms'])} / {fmt(r['ttft_p99_ms'])} | {fmt(r['itl_p50_ms'], '.1f')} / "
                  f"{fmt(r['itl_p99_ms'], '.1f')} | {ratio} |")
    print()
    notes = []
    for hi in levels[1:]:
        lo, top = by.get((a.ours, levels[0])), by.get((a.ours, hi))
        if lo and top and lo["tokens_per_s"]:
            notes.append(f"{a.ours} c={hi} / c={levels[0]}: {top['tokens_per_s'] / lo['tokens_per_s']:.2f}x")
    for r in rows:
        if r["errors"]:
            notes.append(f"{r['server']} c={r['concurrency']}: {r['errors']} errors, first: {r['first_error']}")
    # Greedy text agreement: per prompt, the text each server produced (first request with that prompt, any level),
    # compared without the whitespace at its ends.
    texts: dict = {}
    drift: dict = {}
    for f in a.requests:
        for line in open(f, encoding="utf-8"):
            q = json.loads(line)
            if q["error"]:
                continue
            text = q["text"].strip()  # transformers serve drops the space that starts the first token's text
            seen = texts.setdefault(q["prompt"], {})
            if q["server"] in seen and seen[q["server"]] != text:
                drift[q["server"]] = drift.get(q["server"], 0) + 1
            seen.setdefault(q["server"], text)
    common = [t for t in texts.values() if all(s in t for s in servers)]
    same = sum(1 for t in common if len(set(t.values())) == 1)
    notes.append(f"greedy text: identical on all {len(servers)} servers for {same} of {len(common)} prompts")
    for s in servers:
        if s != a.ours and a.ours in servers:
            both = [t for t in texts.values() if a.ours in t and s in t]
            notes.append(f"{a.ours} = {s}: {sum(t[a.ours] == t[s] for t in both)} of {len(both)}")
    for s, n in drift.items():
        notes.append(f"{s}: {n} requests gave another text than the same prompt's first request (batching numerics)")
    print("; ".join(notes) + ".")
    print()
    print("Servers: " + "; ".join(f"{LABEL.get(r['server'], r['server'])} {r['version']} ({r['stack']})" for r in
                                  {r["server"]: r for r in rows}.values()) + ".")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("model")
    m.add_argument("ckpt")
    m.add_argument("--tokenizer", required=True)
    m.set_defaults(fn=cmd_model)
    p = sub.add_parser("prompts")
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--min", type=int, default=16)
    p.add_argument("--max", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(fn=cmd_prompts)
    r = sub.add_parser("run")
    r.add_argument("--server", required=True, choices=sorted(EXTRA))
    r.add_argument("--version", default="", help="the server's version, shown in the table")
    r.add_argument("--stack", default="", help="what else it runs on (torch, ...), recorded")
    r.add_argument("--url", required=True)
    r.add_argument("--model", required=True)
    r.add_argument("--prompts", required=True)
    r.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split()], default=[1, 8, 32])
    r.add_argument("--requests-per-client", type=int, default=2)
    r.add_argument("--min-requests", type=int, default=8, help="per level, at least this many requests")
    r.add_argument("--max-tokens", type=int, default=64)
    r.add_argument("--warmup", type=int, default=2)
    r.add_argument("--timeout", type=float, default=900, help="seconds per request")
    r.add_argument("--results", required=True)
    r.add_argument("--requests", required=True)
    r.set_defaults(fn=lambda a: asyncio.run(cmd_run_async(a)))
    t = sub.add_parser("table")
    t.add_argument("results", nargs="+")
    t.add_argument("--requests", nargs="+", required=True)
    t.add_argument("--ours", default="kotune")
    t.set_defaults(fn=cmd_table)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
