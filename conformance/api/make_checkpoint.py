"""Writes the random GPT-2 checkpoint compare.sh serves on both servers: KoGPT2's vocabulary (51,200 ids, </s> = 1,
<pad> = 3), 2 layers, 128 wide, 2 heads of 64 (vLLM's CPU attention has no kernel for tiny-kogpt2's 16-wide heads),
256 positions, float32, seed 0, initializer_range 0.5 so that next-token distributions are peaked (greedy picks are
not near-ties that float rounding could flip). Needs torch and transformers (compare.sh runs it with vLLM's Python).

    python make_checkpoint.py OUT_DIR
"""
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

torch.manual_seed(0)
config = GPT2Config(vocab_size=51200, n_positions=256, n_embd=128, n_layer=2, n_head=2, bos_token_id=1,
                    eos_token_id=1, pad_token_id=3, initializer_range=0.5)
model = GPT2LMHeadModel(config).eval()
model.save_pretrained(sys.argv[1], safe_serialization=True)
print("wrote", sys.argv[1])
