#!/usr/bin/env python3
"""Checks that a checkpoint directory kotune wrote loads in transformers exactly (run OUTSIDE CI, in conformance/.venv).

    ./mvnw -B -ntp -o -pl checkpoint test      # leaves checkpoint/target/hf-layout/tiny-kogpt2
    conformance/.venv/bin/python conformance/check_kotune_checkpoint.py checkpoint/target/hf-layout/tiny-kogpt2 \
        --reference conformance/models/tiny-kogpt2

GPT2LMHeadModel.from_pretrained(DIR) must report no missing / unexpected / mismatched keys; with --reference, every
parameter must equal the reference model's bit for bit and the logits of the canonical KoGPT2 ids must be identical.
Exit status 0 when all checks pass.
"""
import argparse
import sys

CANONICAL_IDS = [24454, 401, 25906, 8702, 7801, 13675, 7192, 7643, 401, 25906, 8702, 7801, 8084, 376, 22375,
                 14355, 7281, 7481, 6969, 8084, 406]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--reference")
    a = ap.parse_args()
    import torch
    from transformers import GPT2LMHeadModel
    model, info = GPT2LMHeadModel.from_pretrained(a.dir, output_loading_info=True)
    model.eval()
    problems = {k: v for k, v in info.items() if v and k != "error_msgs"} | (
        {"error_msgs": info["error_msgs"]} if info.get("error_msgs") else {})
    print(f"loaded {a.dir}: loading info {info}")
    ok = not problems
    if a.reference:
        ref = GPT2LMHeadModel.from_pretrained(a.reference).eval()
        sd, rd = model.state_dict(), ref.state_dict()
        differ = [k for k in rd if not torch.equal(sd[k], rd[k])]
        ids = torch.tensor([CANONICAL_IDS])
        with torch.no_grad():
            diff = float((model(ids).logits - ref(ids).logits).abs().max())
        print(f"parameters differing from {a.reference}: {differ or 'none'}; logits max abs diff {diff}")
        ok = ok and not differ and diff == 0.0
    print("OK" if ok else f"FAILED: {problems}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
