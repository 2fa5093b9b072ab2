"""Calls a running kotune inference-service with huggingface_hub's InferenceClient (TGI's API: POST / and
/generate_stream, /info): text_generation unary and streaming, with details; checks that the streamed tokens add up
to generated_text and that details are filled. An optional check outside CI (bench env; `pip install
huggingface_hub==1.*`); exits non-zero naming what failed.

    python bench/python/tgi_client_check.py --url http://127.0.0.1:8080
"""
import argparse
import sys

import huggingface_hub
from huggingface_hub import InferenceClient


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--prompt", default="질문: 배고파\n답변:")
    a = ap.parse_args()
    client = InferenceClient(base_url=a.url)
    failures = []

    def check(what, ok):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    unary = client.text_generation(a.prompt, max_new_tokens=12, details=True)
    check("unary: generated_text with details (finish_reason, token count, tokens)",
          isinstance(unary.generated_text, str) and unary.details.finish_reason in ("length", "eos_token", "stop_sequence")
          and unary.details.generated_tokens == len(unary.details.tokens))
    parts, last = [], None
    for event in client.text_generation(a.prompt, max_new_tokens=12, stream=True, details=True):
        parts.append(event.token.text)
        last = event
    check("stream: tokens add up to the last event's generated_text, which equals the unary text",
          last is not None and "".join(parts) == last.generated_text == unary.generated_text)
    check("stream: the last event carries details", last is not None and last.details is not None)
    check("plain text_generation returns the text", client.text_generation(a.prompt, max_new_tokens=12) == unary.generated_text)
    print(f"{'all passed' if not failures else str(len(failures)) + ' failed'} (huggingface_hub {huggingface_hub.__version__})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
