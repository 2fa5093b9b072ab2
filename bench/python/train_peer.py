#!/usr/bin/env python3
"""HF Trainer peer of dev.kotune.bench.training.TrainingBench: same model size, data, batch and optimizer settings.

GPT2LMHeadModel at KoGPT2-base size (vocab 51200, n_embd 768, 12 layers, 12 heads; random init, dropout 0.1),
batch 4 x 64 tokens, lr 3e-5, weight decay 0.01, linear schedule, clip 1.0, CPU, HF's default optimizer (or --optim).
Row i, position t holds token (i*7919 + t*104729 + 12345) % 51200; labels = input_ids.
Prints one JSON line: samples/s over the timed steps (after the warmup steps), seconds per step, each timed step's
seconds, peak RSS (VmHWM).

    conformance/.venv/bin/python bench/python/train_peer.py --steps 10 --warmup 2 --threads 2 [--optim adamw_torch]
"""
import argparse
import json
import time


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--optim", default=None, help="TrainingArguments.optim (default: transformers' default)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    import torch
    import transformers
    from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainerCallback, TrainingArguments

    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    config = GPT2Config(vocab_size=51200, n_positions=1024, n_embd=768, n_layer=12, n_head=12, bos_token_id=0,
                        eos_token_id=1, pad_token_id=3)
    model = GPT2LMHeadModel(config)
    batch, seq, total = 4, 64, a.steps + a.warmup
    rows = [[(i * 7919 + t * 104729 + 12345) % 51200 for t in range(seq)] for i in range(total * batch)]
    data = [{"input_ids": r, "attention_mask": [1] * seq, "labels": list(r)} for r in rows]

    stamps = []

    class Clock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            stamps.append(time.perf_counter())

        def on_step_end(self, args, state, control, **kw):
            stamps.append(time.perf_counter())
            print(f"hf step {state.global_step} {stamps[-1] - stamps[-2]:.2f}s", flush=True)

    kw = dict(output_dir="/tmp/kotune-bench-hf", per_device_train_batch_size=batch, max_steps=total,
              learning_rate=3e-5, weight_decay=0.01, logging_steps=1_000_000, use_cpu=True, report_to=[],
              save_strategy="no", disable_tqdm=True, dataloader_num_workers=0, seed=42)
    if a.optim:
        kw["optim"] = a.optim
    args = TrainingArguments(**kw)
    trainer = Trainer(model=model, args=args, train_dataset=data, callbacks=[Clock()])
    trainer.train()
    timed = stamps[total] - stamps[a.warmup]
    out = {"impl": f"HF Trainer (transformers {transformers.__version__}, torch {torch.__version__}, "
                   f"optim {args.optim.value}, attn {model.config._attn_implementation})",
           "params": sum(p.numel() for p in model.parameters()), "batch": batch, "seq": seq, "timed_steps": a.steps,
           "seconds_per_step": round(timed / a.steps, 4), "samples_per_second": round(a.steps * batch / timed, 4),
           "peak_rss_mb": round(peak_rss_mb(), 1),
           "step_seconds": [round(stamps[i] - stamps[i - 1], 4) for i in range(a.warmup + 1, total + 1)]}
    print(json.dumps(out))
    if a.out:
        with open(a.out, "w") as f:
            f.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
