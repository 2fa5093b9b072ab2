#!/usr/bin/env python3
"""kotune LoRA oracle: HF PEFT (pinned in requirements-peft.txt) trains the notebook's job as a LoRA adapter.

Runs OUTSIDE CI, in conformance/.venv after `conformance/setup.sh --peft`. Deterministic: re-running rewrites
byte-identical files, each printed with its size and sha256.

    python conformance/peft_oracle.py train          # goldens/peft/lora_*.{json,f32} + goldens/peft/lora_*_adapter/
    python conformance/peft_oracle.py check DIR      # PeftModel.from_pretrained(tiny, DIR): logits vs DIR/../java_logits
    python conformance/peft_oracle.py base-sha256 [MODEL_DIR]   # kotune's content sha256 of a GPT-2's weights

The data is the prepared notebook batch recorded in goldens/gpt2/train_notebook.json (no tokenizer, no shared data);
the base is conformance/models/tiny-kogpt2 with dropout off, as for the full fine-tuning goldens.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import oracle  # noqa: E402  (the shared helpers: deterministic JSON, blobs, torch setup)

PEFT_GOLDENS = oracle.GOLDENS / "peft"
TARGETS = ["c_attn", "c_proj", "c_fc"]
BASE_NAME = "conformance/models/tiny-kogpt2"

# Both runs: the notebook's Trainer settings (batch 4 x 20 epochs of the 4 examples = 20 steps, seed 42, wd 0.01,
# linear schedule, max_grad_norm 1, adamw_torch), LoRA r=8, alpha=16, dropout 0 on c_attn/c_proj/c_fc.
RUNS = {
    # PEFT's default init (A kaiming-uniform, B zeros) at the notebook's learning rate.
    "lora_notebook": dict(learning_rate=3e-5, init_lora_weights=True),
    # init_lora_weights=False (B kaiming-uniform too: the adapter changes the logits from step 1) and a LoRA-sized lr,
    # so the loss curve departs clearly from the base model's.
    "lora_random_init": dict(learning_rate=1e-3, init_lora_weights=False),
}
INIT_SEED = 1234


def versions() -> dict:
    v = oracle.oracle_versions()
    v["peft"] = importlib.metadata.version("peft")
    return v


def base_weights_sha256(state: dict) -> tuple[str, str]:
    """kotune's content hash of GPT-2 weights (Java: Gpt2Weights.contentSha256): for every canonical tensor in
    config order (wte, wpe, h.0.ln_1.weight, ..., ln_f.bias; lm_head only when untied), the UTF-8 line
    "name:d0,d1,...\\n" followed by its float32 little-endian bytes."""
    import numpy as np
    sd = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in state.items()}
    n_layer = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("h."))
    names = ["wte.weight", "wpe.weight"]
    for i in range(n_layer):
        for s in ("ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                  "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                  "mlp.c_proj.weight", "mlp.c_proj.bias"):
            names.append(f"h.{i}.{s}")
    names += ["ln_f.weight", "ln_f.bias"]
    if "lm_head.weight" in sd and not np.array_equal(sd["lm_head.weight"].numpy(), sd["wte.weight"].numpy()):
        names.append("lm_head.weight")
    h = hashlib.sha256()
    for n in names:
        a = np.ascontiguousarray(sd[n].detach().float().numpy(), dtype="<f4")
        h.update(f"{n}:{','.join(str(d) for d in a.shape)}\n".encode("utf-8"))
        h.update(a.tobytes())
    rule = ("sha256 over, per canonical tensor in config order (wte, wpe, h.{i}.ln_1.weight ... h.{i}.mlp.c_proj.bias, "
            "ln_f.*, lm_head only when untied): UTF-8 'name:d0,d1\\n' then float32 little-endian data")
    return h.hexdigest(), rule


def notebook_data() -> dict:
    g = json.loads((oracle.GOLDENS / "gpt2" / "train_notebook.json").read_text(encoding="utf-8"))
    return g["data"]


def lora_config(init):
    from peft import LoraConfig, TaskType
    return LoraConfig(task_type=TaskType.CAUSAL_LM, r=8, lora_alpha=16, lora_dropout=0.0, target_modules=TARGETS,
                      fan_in_fan_out=True, bias="none", init_lora_weights=init)


def adapter_tensors(model) -> dict:
    """LoRA weights under PEFT's saved key names (adapter name removed), in named_parameters order."""
    from peft import get_peft_model_state_dict
    return dict(get_peft_model_state_dict(model))


def logits_record(torch, model, data, blob, prefix: str) -> dict:
    with torch.no_grad():
        logits = model(input_ids=torch.tensor(data["input_ids"]),
                       attention_mask=torch.tensor(data["attention_mask"])).logits.float()
    mask = torch.tensor(data["attention_mask"]).bool()
    cols = oracle.pick_columns(sorted(set(t for row in data["input_ids"] for t in row)), logits.shape[-1])
    return {"columns": cols,
            "array": blob.add(prefix + "logits_columns", logits[..., cols].numpy()),
            "argmax": logits.argmax(-1).tolist(),
            "logsumexp": blob.add(prefix + "logsumexp", torch.logsumexp(logits, -1).numpy()),
            "valid_positions": "attention_mask == 1 only",
            "valid_count": int(mask.sum())}, logits


def train_run(name: str, run: dict) -> None:
    from peft import PeftModel, get_peft_model
    from transformers import Trainer, TrainerCallback, TrainingArguments, default_data_collator
    torch, base = oracle.load_tiny(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    base_sha, sha_rule = base_weights_sha256(base.state_dict())
    base.loss_type = "ForCausalLM"  # true token mean (see conformance/README.md: Trainer loss count bug)
    torch.manual_seed(INIT_SEED)
    model = get_peft_model(base, lora_config(run["init_lora_weights"]))
    model.peft_config["default"].base_model_name_or_path = BASE_NAME
    data = notebook_data()
    blob = oracle.Blob(PEFT_GOLDENS / f"{name}.f32")
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    init = {k: blob.add("init." + k, v.detach().numpy()) for k, v in adapter_tensors(model).items()}
    with torch.no_grad():
        initial_loss = float(model(input_ids=torch.tensor(data["input_ids"]),
                                   attention_mask=torch.tensor(data["attention_mask"]),
                                   labels=torch.tensor(data["labels"])).loss)
    dataset = [{"input_ids": data["input_ids"][i], "attention_mask": data["attention_mask"][i],
                "labels": data["labels"][i], "idx": i} for i in range(len(data["input_ids"]))]
    micro_batches, lr_used = [], []

    def collate(features):
        micro_batches.append([f["idx"] for f in features])
        return default_data_collator([{k: v for k, v in f.items() if k != "idx"} for f in features])

    class LrRecorder(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, optimizer=None, **kw):
            lr_used.append(optimizer.param_groups[0]["lr"])

    out_dir = Path("/tmp/kotune-peft-oracle/run")
    shutil.rmtree(out_dir, ignore_errors=True)
    targs = dict(output_dir=str(out_dir), learning_rate=run["learning_rate"], weight_decay=0.01, logging_steps=1,
                 seed=42, max_grad_norm=1.0, lr_scheduler_type="linear", optim="adamw_torch", use_cpu=True,
                 report_to=[], save_strategy="no", remove_unused_columns=False, disable_tqdm=True,
                 dataloader_num_workers=0, per_device_train_batch_size=4, gradient_accumulation_steps=1,
                 num_train_epochs=20, warmup_steps=0)
    trainer = Trainer(model=model, args=TrainingArguments(**targs), train_dataset=dataset, data_collator=collate,
                      callbacks=[LrRecorder()])
    optimized = [n for n, p in model.named_parameters() if any(p is q for g in trainer.create_optimizer().param_groups
                                                                for q in g["params"])]
    decay = trainer.get_decay_parameter_names(model)
    result = trainer.train()
    logs = [h for h in trainer.state.log_history if "loss" in h]
    final = [h for h in trainer.state.log_history if "train_loss" in h][0]
    steps = [{"step": h["step"], "epoch": h["epoch"], "loss": h["loss"], "grad_norm": h["grad_norm"],
              "learning_rate": h["learning_rate"], "lr_used": lr_used[i], "micro_batches": micro_batches[i:i + 1]}
             for i, h in enumerate(logs)]
    model.eval()
    after = {k: blob.add("final." + k, v.detach().numpy()) for k, v in adapter_tensors(model).items()}
    unmerged, unmerged_logits = logits_record(torch, model, data, blob, "unmerged.")
    base_after = model.get_base_model().state_dict()
    base_unchanged = all(torch.equal(base_after[k], v) for k, v in oracle.load_tiny()[1].state_dict().items()
                         if k in base_after)
    # the PEFT-format adapter, as save_pretrained writes it (README.md, a model card, dropped)
    adapter_dir = PEFT_GOLDENS / f"{name}_adapter"
    shutil.rmtree(adapter_dir, ignore_errors=True)
    model.save_pretrained(adapter_dir)
    (adapter_dir / "README.md").unlink(missing_ok=True)
    for f in sorted(adapter_dir.iterdir()):
        oracle._report(f)
    reloaded = PeftModel.from_pretrained(oracle.load_tiny(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)[1],
                                         adapter_dir).eval()
    with torch.no_grad():
        re_logits = reloaded(input_ids=torch.tensor(data["input_ids"]),
                             attention_mask=torch.tensor(data["attention_mask"])).logits
    reload_equal = bool(torch.equal(re_logits, unmerged_logits))
    # merge_and_unload: W' = W + scaling * (B A)^T (Conv1D keeps (in, out))
    merged_model = model.merge_and_unload()
    merged, merged_logits = logits_record(torch, merged_model, data, blob, "merged.")
    mask = torch.tensor(data["attention_mask"]).bool()
    merge_diff = float((merged_logits - unmerged_logits)[mask].abs().max())
    msd = merged_model.state_dict()
    merged_arrays = {k: blob.add("merged." + k, msd[k].numpy())
                     for k in ("transformer.h.0.attn.c_attn.weight", "transformer.h.1.attn.c_proj.weight",
                               "transformer.h.2.mlp.c_fc.weight", "transformer.h.2.mlp.c_proj.weight")}
    blob.write()
    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    oracle.write_json(PEFT_GOLDENS / f"{name}.json", {
        "oracle": versions(),
        "model": "conformance/models/tiny-kogpt2 (model.safetensors) loaded with resid_pdrop=embd_pdrop=attn_pdrop=0.0",
        "base_weights_sha256": base_sha,
        "base_weights_sha256_rule": sha_rule,
        "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": TARGETS, "fan_in_fan_out": True,
                 "bias": "none", "init_lora_weights": run["init_lora_weights"], "scaling": 16 / 8,
                 "init_seed": f"torch.manual_seed({INIT_SEED}) right before get_peft_model"},
        "adapter_config_saved": cfg,
        "adapter_dir": f"conformance/goldens/peft/{name}_adapter",
        "data": {"from": "goldens/gpt2/train_notebook.json data (prepare case max_length-64-full)",
                 "input_ids": data["input_ids"], "attention_mask": data["attention_mask"], "labels": data["labels"]},
        "training_args": {k: targs[k] for k in ("learning_rate", "weight_decay", "seed", "max_grad_norm",
                                                "lr_scheduler_type", "optim", "per_device_train_batch_size",
                                                "gradient_accumulation_steps", "num_train_epochs", "warmup_steps",
                                                "logging_steps")},
        "training_args_resolved": {"adam_beta1": trainer.args.adam_beta1, "adam_beta2": trainer.args.adam_beta2,
                                   "adam_epsilon": trainer.args.adam_epsilon, "max_steps": trainer.state.max_steps},
        "label_count_fix": "base.loss_type = 'ForCausalLM' before get_peft_model (as goldens/gpt2/train_*)",
        "trainable_parameters": trainable,
        "optimized_parameters": optimized,
        "decay_parameters": [n for n in optimized if n in decay],
        "initial_loss_direct": initial_loss,
        "steps": steps,
        "final_metrics": {"global_step": result.global_step, "train_loss": final["train_loss"],
                          "total_flos": final["total_flos"], "epoch": final["epoch"]},
        "adapter_init": init,
        "adapter_final": after,
        "unmerged_logits": unmerged,
        "merged_logits": merged,
        "merged_weights": merged_arrays,
        "checks": {"base_weights_unchanged_by_training": base_unchanged,
                   "save_pretrained_then_from_pretrained_logits_bit_equal": reload_equal,
                   "merge_and_unload_vs_unmerged_max_abs_logit_diff": merge_diff},
        "tolerances": {"loss_rel": 1e-4, "grad_norm_rel": 1e-3, "adapter_abs": 1e-5, "logits_abs": 1e-4},
        "arrays": blob.index,
    })
    if not base_unchanged or not reload_equal or merge_diff > 1e-4:
        sys.exit(f"{name}: self-check failed (base unchanged {base_unchanged}, reload equal {reload_equal}, "
                 f"merge diff {merge_diff})")


def cmd_train(args) -> None:
    for name in ([args.run] if args.run else list(RUNS)):
        train_run(name, RUNS[name])


def cmd_base_sha256(args) -> None:
    _, model = oracle.load_tiny() if args.model is None else (None, __import__("transformers")
                                                             .GPT2LMHeadModel.from_pretrained(args.model))
    print(base_weights_sha256(model.state_dict())[0])


def cmd_check(args) -> None:
    """Loads a Java-written adapter directory with PeftModel.from_pretrained and compares its logits with the ones
    Java computed (java_logits.json beside the directory) on the notebook batch."""
    import numpy as np
    from peft import PeftModel
    adapter = Path(args.dir).resolve()
    torch, base = oracle.load_tiny(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = PeftModel.from_pretrained(base, adapter).eval()
    cfg = model.peft_config["default"]
    print(f"loaded {adapter}: peft_type {cfg.peft_type.value}, r {cfg.r}, alpha {cfg.lora_alpha}, targets "
          f"{sorted(cfg.target_modules)}, fan_in_fan_out {cfg.fan_in_fan_out}, base {cfg.base_model_name_or_path}")
    loaded = {n for n, _ in model.named_parameters() if "lora_" in n}
    print(f"lora tensors in the model: {len(loaded)}")
    ref = json.loads((adapter.parent / "java_logits.json").read_text(encoding="utf-8"))
    want = np.fromfile(adapter.parent / ref["file"], dtype="<f4").reshape(ref["shape"])
    with torch.no_grad():
        got = model(input_ids=torch.tensor(ref["input_ids"]),
                    attention_mask=torch.tensor(ref["attention_mask"])).logits.numpy()
    mask = np.array(ref["attention_mask"], dtype=bool)
    diff = float(np.abs(got - want)[mask].max())
    base_model = oracle.load_tiny(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)[1].eval()
    with torch.no_grad():
        plain = base_model(input_ids=torch.tensor(ref["input_ids"]),
                           attention_mask=torch.tensor(ref["attention_mask"])).logits.numpy()
    effect = float(np.abs(plain - want)[mask].max())
    print(f"max |PEFT logits - Java logits| over valid positions: {diff:.3g} (tolerance 1e-4); "
          f"the adapter moves logits by up to {effect:.3g} from the base's")
    if diff > 1e-4 or effect <= 1e-4:
        sys.exit("FAIL")
    print("OK")


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # PEFT keeps target_modules as a set and saves list(set): fix the string hash so the order is reproducible
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train")
    tr.add_argument("--run", choices=sorted(RUNS))
    tr.set_defaults(fn=cmd_train)
    ck = sub.add_parser("check")
    ck.add_argument("dir", help="adapter dir written by Java (java_logits.json + .f32 beside it)")
    ck.set_defaults(fn=cmd_check)
    bs = sub.add_parser("base-sha256")
    bs.add_argument("model", nargs="?")
    bs.set_defaults(fn=cmd_base_sha256)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
