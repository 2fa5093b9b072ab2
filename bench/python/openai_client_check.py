"""Calls a running kotune inference-service with the official `openai` Python client: completions and chat, unary
and streaming, and checks what a client relies on (choices, text, finish_reason, usage, chunk shapes). An optional
check outside CI (bench env; `pip install openai==2.*`); exits non-zero naming what failed.

    python bench/python/openai_client_check.py --url http://127.0.0.1:8080 --model MODEL_ID
"""
import argparse
import sys

import openai


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt", default="배고파")
    a = ap.parse_args()
    client = openai.OpenAI(base_url=a.url + "/v1", api_key="unused")
    failures = []

    def check(what, ok):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    templated = f"질문: {a.prompt}\n답변:"
    c = client.completions.create(model=a.model, prompt=templated, max_tokens=16, temperature=0)
    check("completions: one choice with text and a finish_reason",
          len(c.choices) == 1 and isinstance(c.choices[0].text, str) and c.choices[0].finish_reason in ("stop", "length"))
    check("completions: usage adds up", c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens)

    text = "".join(ch.choices[0].text for ch in client.completions.create(
        model=a.model, prompt=templated, max_tokens=16, temperature=0, stream=True) if ch.choices)
    check("completions stream: deltas add up to the unary text", text == c.choices[0].text)

    chat = client.chat.completions.create(model=a.model, messages=[{"role": "user", "content": a.prompt}],
                                          max_tokens=16, temperature=0)
    check("chat: assistant message", chat.choices[0].message.role == "assistant")
    check("chat: one user message answers as the completion of the training text's prompt",
          chat.choices[0].message.content == c.choices[0].text)

    parts, roles, finish = [], [], None
    for ch in client.chat.completions.create(model=a.model, messages=[{"role": "user", "content": a.prompt}],
                                             max_tokens=16, temperature=0, stream=True,
                                             stream_options={"include_usage": True}):
        for choice in ch.choices:
            if choice.delta.role:
                roles.append(choice.delta.role)
            parts.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
        usage = ch.usage or None
    check("chat stream: role once, content adds up, finish_reason, usage chunk",
          roles == ["assistant"] and "".join(parts) == chat.choices[0].message.content and finish in ("stop", "length")
          and usage is not None and usage.completion_tokens == chat.usage.completion_tokens)

    n = client.completions.create(model=a.model, prompt=templated, max_tokens=8, temperature=1.0, n=3, seed=1)
    check("n=3: three indexed choices", sorted(x.index for x in n.choices) == [0, 1, 2])
    try:
        client.completions.create(model=a.model, prompt=templated, top_p=7)
        check("a bad top_p is a 400", False)
    except openai.BadRequestError as e:
        check("a bad top_p is a 400 naming the field", "top_p" in str(e))
    print(f"{'all passed' if not failures else str(len(failures)) + ' failed'} (openai {openai.__version__})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
