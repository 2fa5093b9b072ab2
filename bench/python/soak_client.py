#!/usr/bin/env python3
"""Soak client for kotune inference-service (bench/soak.sh): N closed-loop streaming clients on /v1/completions
for a fixed time, a model swap through the admin API every --swap-every seconds (cycling through export
directories), and per minute: requests served, errors, p50/p99 latency, the server process's RSS (VmRSS of --pid).
Standard library only. A request counts as an error unless it is a 200 whose event stream ends with a
finish_reason and data: [DONE]. Writes requests.jsonl and minutes.jsonl under --out and prints a markdown table."""
import argparse
import http.client
import json
import os
import threading
import time


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return float("nan")
    return float("nan")


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--key", default="")
    ap.add_argument("--admin-key", default="")
    ap.add_argument("--model", default="soak")
    ap.add_argument("--versions", nargs="+", required=True, help="export directories to swap between, in turn")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=int, default=600, help="seconds")
    ap.add_argument("--swap-every", type=int, default=60, help="seconds")
    ap.add_argument("--interval", type=int, default=60, help="seconds per report row")
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    prompt = "질문: 오늘 날씨가 어때요?\n답변:"
    body = json.dumps({"model": a.model, "prompt": prompt, "max_tokens": a.max_tokens, "ignore_eos": True,
                       "stream": True}).encode()
    headers = {"Content-Type": "application/json"}
    if a.key:
        headers["Authorization"] = "Bearer " + a.key
    lock = threading.Lock()
    records = []
    start = time.monotonic()
    end = start + a.duration

    def one(conn):
        t0 = time.monotonic()
        status, ok, version, err = 0, False, None, ""
        try:
            conn.request("POST", "/v1/completions", body=body, headers=headers)
            r = conn.getresponse()
            status = r.status
            version = r.getheader("X-Kotune-Model-Version")
            text = r.read().decode("utf-8", "replace")
            ok = (status == 200 and '"finish_reason":"length"' in text and text.endswith("data: [DONE]\n\n")
                  and '"error"' not in text)
            if not ok:
                err = text[:300]
        except Exception as e:  # a cut connection is an error too
            err = repr(e)
            conn.close()
        t1 = time.monotonic()
        return {"t": t1 - start, "latency_ms": (t1 - t0) * 1000, "status": status, "ok": ok, "version": version,
                "error": err}

    def client():
        conn = http.client.HTTPConnection(a.host, a.port, timeout=120)
        while time.monotonic() < end:
            rec = one(conn)
            with lock:
                records.append(rec)

    swaps = []

    def swapper():
        i = 0
        admin = {"Content-Type": "application/json"}
        if a.admin_key:
            admin["Authorization"] = "Bearer " + a.admin_key
        while True:
            due = start + (len(swaps) + 1) * a.swap_every
            if due >= end:
                return
            time.sleep(max(0, due - time.monotonic()))
            i = (i + 1) % len(a.versions)
            conn = http.client.HTTPConnection(a.host, a.port, timeout=120)
            t0 = time.monotonic()
            conn.request("POST", "/v1/admin/models", body=json.dumps({"id": a.model, "path": a.versions[i]}),
                         headers=admin)
            r = conn.getresponse()
            text = r.read().decode()
            swaps.append({"t": time.monotonic() - start, "status": r.status, "ms": (time.monotonic() - t0) * 1000,
                          "to": a.versions[i], "answer": text[:200]})
            conn.close()

    rss = []

    def sampler():
        while time.monotonic() < end:
            rss.append((time.monotonic() - start, rss_mib(a.pid)))
            time.sleep(5)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(a.clients)]
    threads += [threading.Thread(target=swapper, daemon=True), threading.Thread(target=sampler, daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=a.duration + 180)

    with open(os.path.join(a.out, "requests.jsonl"), "w") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    rows = []
    minutes = max(1, (a.duration + a.interval - 1) // a.interval)
    for m in range(minutes):
        lo, hi = m * a.interval, (m + 1) * a.interval
        rs = [r for r in records if lo <= r["t"] < hi]
        lat = [r["latency_ms"] for r in rs if r["ok"]]
        mem = [v for (t, v) in rss if lo <= t < hi]
        rows.append({"minute": m + 1, "served": sum(r["ok"] for r in rs), "errors": sum(not r["ok"] for r in rs),
                     "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99),
                     "rss_mib": mem[-1] if mem else float("nan"),
                     "swaps": sum(1 for s in swaps if lo <= s["t"] < hi),
                     "versions": len({r["version"] for r in rs if r["version"]})})
    with open(os.path.join(a.out, "minutes.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(a.out, "swaps.jsonl"), "w") as f:
        for s in swaps:
            f.write(json.dumps(s) + "\n")
    lines = [f"| {('minute' if a.interval == 60 else f'interval ({a.interval} s)')} | requests served | errors |"
             " p50 latency (ms) | p99 latency (ms) | RSS (MiB) | swaps | versions served |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['minute']} | {r['served']} | {r['errors']} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} |"
                     f" {r['rss_mib']:.0f} | {r['swaps']} | {r['versions']} |")
    errors = sum(r["errors"] for r in rows)
    failed_swaps = [s for s in swaps if s["status"] != 200]
    after = [r["rss_mib"] for r in rows[1:] if r["rss_mib"] == r["rss_mib"]]
    spread = (max(after) - min(after)) / (sum(after) / len(after)) * 100 if after else float("nan")
    lines.append("")
    lines.append(f"{a.clients} streaming clients, {a.duration} s, {len(swaps)} swaps ({len(failed_swaps)} failed),"
                 f" {sum(r['served'] for r in rows)} requests served, {errors} errors;"
                 f" RSS after the first interval: {min(after) if after else float('nan'):.0f}"
                 f"-{max(after) if after else float('nan'):.0f} MiB (spread {spread:.1f}% of the mean)")
    table = "\n".join(lines)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(table + "\n")
    print(table)
    return 1 if errors or failed_swaps else 0


if __name__ == "__main__":
    raise SystemExit(main())
