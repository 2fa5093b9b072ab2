#!/usr/bin/env python3
"""kotune conformance oracle: Hugging Face transformers/tokenizers/torch produce the goldens the Java tests read.

Runs OUTSIDE CI, in conformance/.venv (see setup.sh). Deterministic: re-running a subcommand rewrites byte-identical
files. Every file written is printed with its size and sha256.

    python conformance/oracle.py tokenizer     # goldens/tokenizer/*            (needs tokenizers + transformers)
    python conformance/oracle.py prepare       # goldens/prepare/*              (needs tokenizers + transformers)
    python conformance/oracle.py model         # models/tiny-kogpt2*/           (needs torch)
    python conformance/oracle.py logits        # goldens/gpt2/logits_*          (needs torch, the tiny model)
    python conformance/oracle.py train         # goldens/gpt2/train_*           (needs torch, the tiny model)
    python conformance/oracle.py generate      # goldens/gpt2/generate.json, processors.*
    python conformance/oracle.py fake-gpt2     # goldens/gpt2/fake_gpt2_logits.*
    python conformance/oracle.py all           # everything above, in that order
    python conformance/oracle.py sha256        # sha256 + size of every committed golden/model file
    python conformance/oracle.py check-onnx DIR [--hf-model DIR] [--prompt-ids 1,2,3] [--max-length N]
    python conformance/oracle.py reference-onnx OUT [--model DIR]   # plain-op KV-cache ONNX + genai_config.json

Shared data (never copied into the repo) is read from $KOTUNE_SHARED_DIR/data, default <repo>/../shared/data.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import io
import json
import math
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_DATA = Path(os.environ.get("KOTUNE_SHARED_DIR", str(REPO.parent / "shared"))) / "data"
GOLDENS = HERE / "goldens"
MODELS = HERE / "models"
EXAMPLES_FILE = HERE / "data" / "notebook_examples.json"

KOGPT2_TOKENIZER = "kogpt2/tokenizer.json"  # relative to the shared data dir
KOGPT2_TOKENIZER_SHA256 = "e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f"
CANONICAL_TEXT = "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?"
CANONICAL_IDS = [24454, 401, 25906, 8702, 7801, 13675, 7192, 7643, 401, 25906, 8702, 7801, 8084, 376, 22375,
                 14355, 7281, 7481, 6969, 8084, 406]
PROMPT_TEMPLATE = "질문: {prompt}\n답변:"
TEXT_TEMPLATE = "질문: {prompt}\n답변:{completion}"
EOS_TOKEN, EOS_ID, PAD_TOKEN, PAD_ID = "</s>", 1, "<pad>", 3
FULL_IDS_LINES = 200
TINY_DIR = MODELS / "tiny-kogpt2"
LEGACY_DIR = MODELS / "tiny-kogpt2-legacy-bin"
FAKE_GPT2 = "hf-fake-gpt2"
DIGEST_DEFINITION = {
    "algorithm": "sha256",
    "input": "the token ids as ASCII decimal numbers joined by ',' (no spaces, no brackets, no trailing comma); "
             "an empty id list is the empty string",
    "output": "64 lowercase hex characters",
}


# ----------------------------------------------------------------------------------------------------------------
# Output helpers: deterministic JSON and little-endian float32 blobs.
# ----------------------------------------------------------------------------------------------------------------

def _scalar(o) -> str:
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        if not math.isfinite(o):
            raise ValueError(f"non-finite float in a golden: {o}")
        return repr(o)
    if isinstance(o, str):
        return json.dumps(o, ensure_ascii=False)
    raise TypeError(f"cannot serialise {type(o)}: {o!r}")


def _plain(o):
    """numpy/torch scalars and arrays → python values."""
    try:
        import numpy as np
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:
        pass
    return o


def _dumps(o, level: int = 0) -> str:
    o = _plain(o)
    pad, pad1 = " " * level, " " * (level + 1)
    if isinstance(o, dict):
        if not o:
            return "{}"
        items = [f"{pad1}{json.dumps(str(k), ensure_ascii=False)}: {_dumps(v, level + 1)}" for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(o, (list, tuple)):
        o = [_plain(x) for x in o]
        if not o:
            return "[]"
        if all(not isinstance(x, (dict, list, tuple)) for x in o) and (
                len(o) <= 64 or not any(isinstance(x, str) for x in o)):
            return "[" + ", ".join(_scalar(x) for x in o) + "]"
        return "[\n" + ",\n".join(pad1 + _dumps(x, level + 1) for x in o) + "\n" + pad + "]"
    return _scalar(o)


def _report(path: Path) -> None:
    data = path.read_bytes()
    print(f"wrote {path.relative_to(REPO)}  {len(data):>10} bytes  sha256 {hashlib.sha256(data).hexdigest()}")


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((_dumps(obj) + "\n").encode("utf-8"))
    _report(path)


class Blob:
    """Concatenates arrays into one little-endian raw file; describe() gives the JSON header of each array."""

    def __init__(self, path: Path):
        self.path, self.parts, self.offset, self.index = path, [], 0, {}

    def add(self, name: str, array, dtype: str = "float32") -> dict:
        import numpy as np
        code = {"float32": "<f4", "int64": "<i8"}[dtype]
        a = np.ascontiguousarray(np.asarray(array), dtype=code)
        desc = {"file": self.path.name, "dtype": dtype, "byte_order": "little", "shape": list(a.shape),
                "offset": self.offset, "length": int(a.size)}
        self.parts.append(a.tobytes())
        self.offset += a.nbytes
        self.index[name] = desc
        return desc

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(b"".join(self.parts))
        _report(self.path)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ids_digest(ids) -> str:
    return hashlib.sha256(",".join(str(int(i)) for i in ids).encode("ascii")).hexdigest()


def oracle_versions() -> dict:
    out = {}
    for dist in ("transformers", "torch", "tokenizers", "safetensors", "numpy", "accelerate"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    out["python"] = platform.python_version()
    return out


def shared(rel: str) -> Path:
    p = SHARED_DATA / rel
    if not p.exists():
        sys.exit(f"missing shared data file {p} (set KOTUNE_SHARED_DIR to the dir holding data/)")
    return p


def tokenizer_path() -> Path:
    p = shared(KOGPT2_TOKENIZER)
    got = sha256_file(p)
    if got != KOGPT2_TOKENIZER_SHA256:
        sys.exit(f"{p} has sha256 {got}, expected {KOGPT2_TOKENIZER_SHA256}")
    return p


def tokenizer_header() -> dict:
    return {"file": KOGPT2_TOKENIZER, "relative_to": "the shared data dir (../shared/data)",
            "sha256": KOGPT2_TOKENIZER_SHA256}


def hf_tokenizer():
    """The notebook's tokenizer: transformers' fast tokenizer with KoGPT2's special tokens."""
    from transformers import PreTrainedTokenizerFast
    return PreTrainedTokenizerFast(tokenizer_file=str(tokenizer_path()), bos_token=EOS_TOKEN, eos_token=EOS_TOKEN,
                                   pad_token=PAD_TOKEN, unk_token="<unk>", mask_token="<mask>")


HF_TOKENIZER_CALL = ("PreTrainedTokenizerFast(tokenizer_file=<kogpt2/tokenizer.json>, bos_token='</s>', "
                     "eos_token='</s>', pad_token='<pad>', unk_token='<unk>', mask_token='<mask>')")


def raw_tokenizer():
    import tokenizers
    return tokenizers.Tokenizer.from_file(str(tokenizer_path()))


def check_canonical(encode) -> None:
    got = encode(CANONICAL_TEXT)
    if got != CANONICAL_IDS:
        sys.exit(f"canonical example encodes to {got}, expected {CANONICAL_IDS}")


# ----------------------------------------------------------------------------------------------------------------
# (a) tokenizer goldens
# ----------------------------------------------------------------------------------------------------------------

def read_nsmc() -> list[str]:
    text = shared("nsmc/nsmc_reviews_sample.txt").read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


NSMC_READING = ("UTF-8 (no BOM); split on '\\n' only; the empty string after the final '\\n' is dropped; "
                "lines are used as-is (no trimming; the file has no '\\r')")


def read_chatbot() -> list[dict]:
    with open(shared("chatbot/ChatbotData.csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


CHATBOT_READING = ("UTF-8 CSV (RFC 4180 as Python's csv module reads it with newline=''; CRLF row ends; quoted fields "
                   "may hold commas and doubled quotes); header row Q,A,label is skipped; the Q (or A) field is used "
                   "as-is, not trimmed; one row = one text, in file order")


def cmd_tokenizer(_args) -> None:
    tok = raw_tokenizer()
    hf = hf_tokenizer()
    enc = lambda s: tok.encode(s, add_special_tokens=True).ids  # noqa: E731
    check_canonical(enc)
    check_canonical(lambda s: hf(s)["input_ids"])
    versions = oracle_versions()
    rows = read_chatbot()
    sources = [
        ("nsmc", "encode_nsmc.json", "nsmc/nsmc_reviews_sample.txt", NSMC_READING, read_nsmc()),
        ("chatbot_q", "encode_chatbot_q.json", "chatbot/ChatbotData.csv", CHATBOT_READING + "; column Q",
         [r["Q"] for r in rows]),
        ("chatbot_a", "encode_chatbot_a.json", "chatbot/ChatbotData.csv", CHATBOT_READING + "; column A",
         [r["A"] for r in rows]),
    ]
    for name, out, rel, reading, texts in sources:
        ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]
        hf_ids = hf(texts)["input_ids"]
        mismatches = [i for i, (a, b) in enumerate(zip(ids, hf_ids)) if a != b]
        if mismatches:
            sys.exit(f"{name}: transformers and tokenizers disagree on lines {mismatches[:10]}")
        write_json(GOLDENS / "tokenizer" / out, {
            "oracle": versions,
            "tokenizer": tokenizer_header(),
            "encode": "tokenizers.Tokenizer.from_file(tokenizer.json).encode(text, add_special_tokens=True).ids "
                      "(the file has no post-processor, so no BOS/EOS is added)",
            "transformers_agrees": f"{HF_TOKENIZER_CALL}(texts)['input_ids'] gave identical ids for every text",
            "source": {"name": name, "file": rel, "relative_to": "the shared data dir (../shared/data)",
                       "sha256": sha256_file(shared(rel)), "reading": reading},
            "digest": DIGEST_DEFINITION,
            "digest_example": {"ids": CANONICAL_IDS, "joined": ",".join(map(str, CANONICAL_IDS)),
                               "sha256": ids_digest(CANONICAL_IDS)},
            "count": len(texts),
            "total_tokens": sum(len(x) for x in ids),
            "max_tokens": max(len(x) for x in ids),
            "empty_texts": sum(1 for t in texts if t == ""),
            "full_ids_count": min(FULL_IDS_LINES, len(texts)),
            "lengths": [len(x) for x in ids],
            "ids": ids[:FULL_IDS_LINES],
            "sha256": [ids_digest(x) for x in ids],
        })
    cmd_decode(tok, hf, versions)


ENCODE_CASES = [
    "", " ", "  두  칸  ", "안녕", " 안녕", "안녕 ", "질문: 배고파\n답변:", "\n", "\t탭\t", "a\r\nb",
    "</s>", "질문</s>답변<pad><pad>", "<s>안녕</s>", "<unk><mask><usr><sys>", "좋아요 😂 ㅋㅋ :-)", "😂😂",
    "ＡＢＣ①㈜ｶﾀｶﾅ", "ﾟ", "café", "cafe\u0301", "\u200b제로폭", "Hello, World! 123", "가나다라마바사아자차카타파하",
    "뷁똠뽧", "漢字 한자", "이모지 🤦🏽‍♀️ 끝", CANONICAL_TEXT,
]

DECODE_CASES = [
    [], CANONICAL_IDS, CANONICAL_IDS + [EOS_ID], [0] + CANONICAL_IDS + [EOS_ID, PAD_ID, PAD_ID], [PAD_ID, PAD_ID],
    [EOS_ID], [5], [2, 401, 4, 401], [25906], [401, 25906], [7192], [13675, 7192], [109, 256, 290],
    [25906, 256, 8702], [6, 7, 8, 9], [51199], [51197, 51198, 51199], [376, 376, 376],
]


def cmd_decode(tok, hf, versions) -> None:
    encode_cases = []
    for text in ENCODE_CASES:
        ids = tok.encode(text, add_special_tokens=True).ids
        enc = tok.encode(text, add_special_tokens=True)
        encode_cases.append({
            "text": text, "ids": ids, "tokens": enc.tokens,
            "offsets": [list(o) for o in enc.offsets],
            "transformers_ids_equal": hf(text)["input_ids"] == ids,
        })
    decode_cases = []
    for ids in DECODE_CASES:
        case = {"ids": ids}
        for skip in (False, True):
            key = "skip_special_tokens_" + str(skip).lower()
            a = tok.decode(ids, skip_special_tokens=skip)
            b = hf.decode(ids, skip_special_tokens=skip)
            case[key] = a
            case[key + "_transformers"] = b
        decode_cases.append(case)
    special = {t: tok.token_to_id(t) for t in ["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>"]}
    write_json(GOLDENS / "tokenizer" / "encode_decode_cases.json", {
        "oracle": versions,
        "tokenizer": tokenizer_header(),
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "special_ids": special,
        "canonical": {"text": CANONICAL_TEXT, "ids": CANONICAL_IDS},
        "encode": "tokenizers: Tokenizer.encode(text, add_special_tokens=True) → ids, tokens, offsets "
                  "(offsets are [start, end) in Python str indices = Unicode code points of the ORIGINAL text)",
        "decode": "tokenizers: Tokenizer.decode(ids, skip_special_tokens=...); the *_transformers keys are "
                  f"{HF_TOKENIZER_CALL}.decode(ids, skip_special_tokens=...) (clean_up_tokenization_spaces="
                  f"{hf.clean_up_tokenization_spaces})",
        "encode_cases": encode_cases,
        "decode_cases": decode_cases,
    })


# ----------------------------------------------------------------------------------------------------------------
# (b) prepare-examples goldens
# ----------------------------------------------------------------------------------------------------------------

def load_examples() -> list[dict]:
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def prepare(hf, examples, padding: str, max_length: int, completion_only: bool) -> dict:
    """The notebook's preprocessing (fixed: EOS appended, labels -100 on pads, optional completion-only loss)."""
    texts = [TEXT_TEMPLATE.format(**e) + EOS_TOKEN for e in examples]
    enc = hf(texts, padding=padding, truncation=True, max_length=max_length, return_attention_mask=True)
    full = hf(texts)["input_ids"]
    prompt_lens = [len(hf(PROMPT_TEMPLATE.format(**e))["input_ids"]) for e in examples]
    labels = []
    for ids, mask, plen in zip(enc["input_ids"], enc["attention_mask"], prompt_lens):
        row = [t if m == 1 else -100 for t, m in zip(ids, mask)]
        if completion_only:
            row = [-100 if i < plen else t for i, t in enumerate(row)]
        labels.append(row)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "labels": labels,
        "lengths": [sum(m) for m in enc["attention_mask"]],
        "untruncated_lengths": [len(x) for x in full],
        "truncated": [len(x) > max_length for x in full],
        "eos_kept": [EOS_ID in ids for ids in enc["input_ids"]],
        "target_tokens": [sum(1 for t in row[1:] if t != -100) for row in labels],
    }


def cmd_prepare(_args) -> None:
    hf = hf_tokenizer()
    check_canonical(lambda s: hf(s)["input_ids"])
    examples = load_examples()
    untruncated = []
    for e in examples:
        text = TEXT_TEMPLATE.format(**e)
        ids_eos = hf(text + EOS_TOKEN)["input_ids"]
        ids = hf(text)["input_ids"]
        pids = hf(PROMPT_TEMPLATE.format(**e))["input_ids"]
        untruncated.append({
            "prompt": e["prompt"], "completion": e["completion"], "text": text + EOS_TOKEN,
            "ids": ids_eos, "prompt_ids": pids,
            "prompt_is_prefix": ids[:len(pids)] == pids,
            "eos_string_equals_appended_id": ids_eos == ids + [EOS_ID],
        })
    if not all(u["prompt_is_prefix"] and u["eos_string_equals_appended_id"] for u in untruncated):
        sys.exit("prompt tokens are not a prefix of the full text's tokens, or '</s>' did not encode to id 1")
    cases = []
    for max_length in (64, 12, 8):
        for padding in ("max_length", "longest", "do_not_pad"):
            for completion_only in (False, True):
                case = {"name": f"{padding}-{max_length}-{'completion_only' if completion_only else 'full'}",
                        "padding": padding, "max_length": max_length, "completion_only": completion_only}
                case.update(prepare(hf, examples, padding, max_length, completion_only))
                cases.append(case)
    write_json(GOLDENS / "prepare" / "notebook_examples.json", {
        "oracle": oracle_versions(),
        "tokenizer": tokenizer_header(),
        "tokenizer_call": HF_TOKENIZER_CALL + "(texts, padding=<padding>, truncation=True, "
                                              "max_length=<max_length>, return_attention_mask=True)",
        "examples_file": "conformance/data/notebook_examples.json",
        "examples_sha256": sha256_file(EXAMPLES_FILE),
        "text_template": TEXT_TEMPLATE + EOS_TOKEN,
        "prompt_template": PROMPT_TEMPLATE,
        "eos": {"token": EOS_TOKEN, "id": EOS_ID,
                "rule": "the literal '</s>' is appended to the text BEFORE tokenization (it is an added special "
                        "token, so it encodes to id 1); truncation keeps the first max_length ids, so a truncated "
                        "example loses its EOS (HF does not re-append it)"},
        "pad": {"token": PAD_TOKEN, "id": PAD_ID, "side": hf.padding_side},
        "truncation_side": hf.truncation_side,
        "labels": "input_ids with -100 where attention_mask == 0; with completion_only also -100 on the first "
                  "len(prompt_ids) positions (prompt_ids = tokens of prompt_template; verified to be a prefix)",
        "target_tokens": "number of labels != -100 after the causal shift (labels[1:]): what the loss averages over",
        "untruncated": untruncated,
        "cases": cases,
    })


# ----------------------------------------------------------------------------------------------------------------
# (c) tiny random GPT-2 with the KoGPT2 vocabulary
# ----------------------------------------------------------------------------------------------------------------

def torch_setup():
    import torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    return torch


def tiny_config(**overrides):
    from transformers import GPT2Config
    kw = dict(vocab_size=51200, n_positions=128, n_embd=48, n_layer=3, n_head=3, bos_token_id=0, eos_token_id=1,
              pad_token_id=3, activation_function="gelu_new", layer_norm_epsilon=1e-5)
    kw.update(overrides)
    return GPT2Config(**kw)


def cmd_model(_args) -> None:
    torch = torch_setup()
    from collections import OrderedDict
    from transformers import GPT2LMHeadModel
    torch.manual_seed(1234)
    model = GPT2LMHeadModel(tiny_config()).eval()
    TINY_DIR.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(TINY_DIR)
    for name in sorted(os.listdir(TINY_DIR)):
        if name not in ("config.json", "generation_config.json", "model.safetensors", "pytorch_model.bin"):
            sys.exit(f"unexpected file written by save_pretrained: {name}")
    # transformers 5 save_pretrained writes safetensors only; write the .bin the way 4.x save_pretrained(
    # safe_serialization=False) did: torch.save of the full state_dict (lm_head.weight shares wte's storage).
    state = model.state_dict()
    torch.save(state, TINY_DIR / "pytorch_model.bin")
    for name in ("config.json", "generation_config.json", "model.safetensors", "pytorch_model.bin"):
        _report(TINY_DIR / name)
    # Legacy layout (OpenAI gpt2 / transformers 2.x-4.2x era): no 'transformer.' prefix, no lm_head, and the causal
    # mask buffers h.N.attn.bias (uint8 tril (1,1,n_pos,n_pos)) and h.N.attn.masked_bias (float32 scalar -1e4).
    n = model.config.n_positions
    legacy = OrderedDict()
    for key, value in state.items():
        if key == "lm_head.weight":
            continue
        short = key[len("transformer."):]
        if short.endswith(".attn.c_attn.weight"):
            prefix = short[: -len("c_attn.weight")]
            legacy[prefix + "bias"] = torch.tril(torch.ones((n, n), dtype=torch.uint8)).view(1, 1, n, n)
            legacy[prefix + "masked_bias"] = torch.tensor(-1e4)
        legacy[short] = value.clone()
    LEGACY_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(legacy, LEGACY_DIR / "pytorch_model.bin")
    # an old-style config.json (as 2021-era fine-tunes of KoGPT2 carry): n_ctx, no dtype / tie_word_embeddings
    cfg = model.config
    legacy_cfg = {"_name_or_path": "tiny-kogpt2-legacy", "activation_function": cfg.activation_function,
                  "architectures": ["GPT2LMHeadModel"], "attn_pdrop": cfg.attn_pdrop, "bos_token_id": cfg.bos_token_id,
                  "embd_pdrop": cfg.embd_pdrop, "eos_token_id": cfg.eos_token_id, "gradient_checkpointing": False,
                  "initializer_range": cfg.initializer_range, "layer_norm_epsilon": cfg.layer_norm_epsilon,
                  "model_type": "gpt2", "n_ctx": cfg.n_positions, "n_embd": cfg.n_embd, "n_head": cfg.n_head,
                  "n_inner": None, "n_layer": cfg.n_layer, "n_positions": cfg.n_positions,
                  "pad_token_id": cfg.pad_token_id, "resid_pdrop": cfg.resid_pdrop, "summary_activation": None,
                  "summary_first_dropout": 0.1, "summary_proj_to_labels": True, "summary_type": "cls_index",
                  "summary_use_proj": True, "transformers_version": "4.3.3", "use_cache": True,
                  "vocab_size": cfg.vocab_size}
    (LEGACY_DIR / "config.json").write_text(json.dumps(legacy_cfg, indent=2) + "\n", encoding="utf-8")
    for name in ("config.json", "pytorch_model.bin"):
        _report(LEGACY_DIR / name)
    # self-check: all three files hold the same weights and load into the same logits
    reloaded = GPT2LMHeadModel.from_pretrained(TINY_DIR).eval()
    ids = torch.tensor([CANONICAL_IDS])
    ref = model(ids).logits
    assert torch.equal(reloaded(ids).logits, ref)
    # transformers itself must read the legacy directory (old config + unprefixed .bin with buffers) to the same model
    legacy_model = GPT2LMHeadModel.from_pretrained(LEGACY_DIR).eval()
    assert torch.equal(legacy_model(ids).logits, ref)
    sd_bin = torch.load(TINY_DIR / "pytorch_model.bin", weights_only=True)
    sd_legacy = torch.load(LEGACY_DIR / "pytorch_model.bin", weights_only=True)
    for key, value in state.items():
        assert torch.equal(sd_bin[key], value), key
        if key != "lm_head.weight":
            assert torch.equal(sd_legacy[key[len("transformer."):]], value), key


def load_tiny(**overrides):
    torch = torch_setup()
    from transformers import GPT2LMHeadModel
    if not (TINY_DIR / "model.safetensors").exists():
        sys.exit("run `oracle.py model` first")
    model = GPT2LMHeadModel.from_pretrained(TINY_DIR, **overrides)
    return torch, model


def logits_summary(torch, logits, mask, columns, blob: Blob, prefix: str) -> dict:
    """Subset of vocab columns at every position, argmax + logsumexp over the full vocab, full last-valid logits."""
    B, T, V = logits.shape
    last = (mask.sum(dim=1) - 1) if mask is not None else torch.full((B,), T - 1)
    # for left padding the last valid position is T-1; for right padding it is length-1
    if mask is not None and bool((mask[:, -1] == 1).all()):
        last = torch.full((B,), T - 1)
    last_logits = logits[torch.arange(B), last]  # (B, V)
    return {
        "columns": columns,
        "logits_columns": logits[:, :, columns].tolist(),
        "argmax": logits.argmax(dim=-1).tolist(),
        "logsumexp": torch.logsumexp(logits.double(), dim=-1).float().tolist(),
        "last_valid_index": last.tolist(),
        "last_valid_logits": blob.add(prefix + "last_valid_logits", last_logits.numpy()),
    }


def pick_columns(used_ids, vocab: int, count: int = 64) -> list[int]:
    cols = sorted(set([0, 1, 2, 3, 4, 5, 6, vocab - 1]) | set(int(i) for i in used_ids))
    k = 1
    while len(cols) < count:
        c = (k * 7919) % vocab
        if c not in cols:
            cols.append(c)
        k += 1
    return sorted(cols[:count])


LOGITS_TEXTS = [CANONICAL_TEXT, "질문: 배고파\n답변:", "오늘 날씨 어때? 맑고 따뜻한 날씨가 예상됩니다."]


def cmd_logits(_args) -> None:
    torch, model = load_tiny()
    model.eval()
    tok = raw_tokenizer()
    seqs = [tok.encode(t).ids for t in LOGITS_TEXTS]
    T = max(len(s) for s in seqs)
    cols = pick_columns([i for s in seqs for i in s], model.config.vocab_size)
    for side in ("right", "left"):
        ids, mask = [], []
        for s in seqs:
            padn = T - len(s)
            if side == "right":
                ids.append(s + [PAD_ID] * padn)
                mask.append([1] * len(s) + [0] * padn)
            else:
                ids.append([PAD_ID] * padn + s)
                mask.append([0] * padn + [1] * len(s))
        ids_t, mask_t = torch.tensor(ids), torch.tensor(mask)
        if side == "right":
            pos = torch.arange(T).unsqueeze(0).expand(len(seqs), T)
        else:
            pos = (mask_t.cumsum(-1) - 1).masked_fill(mask_t == 0, 1)
        with torch.no_grad():
            out = model(input_ids=ids_t, attention_mask=mask_t, position_ids=pos)
            logits = out.logits.float()
            labels = ids_t.masked_fill(mask_t == 0, -100)
            loss = model(input_ids=ids_t, attention_mask=mask_t, position_ids=pos, labels=labels).loss
            extra = {}
            if side == "left":
                # transformers 5 generate() fills padded position ids with 0 (not 1): valid positions must not care
                pos0 = (mask_t.cumsum(-1) - 1).masked_fill(mask_t == 0, 0)
                l0 = model(input_ids=ids_t, attention_mask=mask_t, position_ids=pos0).logits
                valid = mask_t.bool()
                extra["max_abs_diff_valid_positions_fill0_vs_fill1"] = float((l0 - logits)[valid].abs().max())
            # each row alone (no padding) must give the same logits at valid positions
            diffs = []
            for b, s in enumerate(seqs):
                alone = model(input_ids=torch.tensor([s])).logits[0]
                got = logits[b][mask_t[b].bool()]
                diffs.append(float((alone - got).abs().max()))
            extra["max_abs_diff_vs_unpadded_rows"] = max(diffs)
        blob = Blob(GOLDENS / "gpt2" / f"logits_{side}_padded.f32")
        summary = logits_summary(torch, logits, mask_t, cols, blob, "")
        blob.write()
        write_json(GOLDENS / "gpt2" / f"logits_{side}_padded.json", {
            "oracle": oracle_versions(),
            "model": "conformance/models/tiny-kogpt2 (model.safetensors)",
            "attn_implementation": model.config._attn_implementation,
            "mode": "model.eval(), torch.no_grad(), float32, GPT2LMHeadModel(input_ids, attention_mask, position_ids)",
            "texts": LOGITS_TEXTS,
            "tokenizer": tokenizer_header(),
            "padding_side": side,
            "pad_id": PAD_ID,
            "position_ids_rule": "arange(T)" if side == "right" else "cumsum(attention_mask) - 1, masked_fill(mask == 0, 1)",
            "compare": "only positions with attention_mask == 1 are meaningful (padded query rows are "
                       "implementation-defined); logits tolerance 1e-4 abs",
            "input_ids": ids,
            "attention_mask": mask,
            "position_ids": pos.tolist(),
            **summary,
            "loss_with_labels": {"labels": "input_ids with -100 where attention_mask == 0",
                                 "loss": float(loss)} if side == "right" else {
                "labels": None, "loss": None,
                "why_none": "with left padding, labels masked only where attention_mask == 0 still count the last "
                            "pad position's prediction of the first real token; that pad query attends to no valid "
                            "key, so its value is implementation-defined (HF sdpa vs eager differ): no golden"},
            "checks": extra,
            "arrays": blob.index,
        })


# ---- training ----------------------------------------------------------------------------------------------------

SELECTED_PARAMS = ["transformer.wpe.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
                   "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
                   "transformer.h.1.attn.c_proj.weight", "transformer.h.2.mlp.c_proj.weight",
                   "transformer.h.2.mlp.c_proj.bias", "transformer.ln_f.weight", "transformer.ln_f.bias"]

TRAIN_RUNS = {
    "train_notebook": dict(per_device_train_batch_size=4, gradient_accumulation_steps=1, num_train_epochs=20,
                           warmup_steps=0),
    "train_grad_accum": dict(per_device_train_batch_size=2, gradient_accumulation_steps=2, num_train_epochs=4,
                             warmup_steps=0),
    "train_warmup": dict(per_device_train_batch_size=4, gradient_accumulation_steps=1, num_train_epochs=10,
                         warmup_steps=3),
}


def cmd_train(args) -> None:
    runs = [args.run] if getattr(args, "run", None) else list(TRAIN_RUNS)
    for name in runs:
        train_run(name, TRAIN_RUNS[name])


def run_trainer(run: dict, fix_label_count: bool):
    """One HF Trainer run on the notebook examples; returns everything the golden needs."""
    import shutil
    torch, model = load_tiny(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    from transformers import Trainer, TrainerCallback, TrainingArguments, default_data_collator
    loss_type_as_loaded = model.loss_type
    if fix_label_count:
        # GPT2LMHeadModel's class name matches no LOSS_MAPPING key, so loss_type is None and the Trainer counts
        # num_items_in_batch over UNSHIFTED labels while the model's ForCausalLMLoss sums the SHIFTED targets.
        # Naming the loss makes the Trainer count labels[..., 1:], i.e. the plain token mean of REFERENCE.md.
        model.loss_type = "ForCausalLM"
    hf = hf_tokenizer()
    examples = load_examples()
    prep = prepare(hf, examples, "max_length", 64, False)
    dataset = [{"input_ids": prep["input_ids"][i], "attention_mask": prep["attention_mask"][i],
                "labels": prep["labels"][i], "idx": i} for i in range(len(examples))]
    with torch.no_grad():
        initial_loss = float(model(input_ids=torch.tensor(prep["input_ids"]),
                                   attention_mask=torch.tensor(prep["attention_mask"]),
                                   labels=torch.tensor(prep["labels"])).loss)
    micro_batches, lr_used, micro_losses = [], [], []

    def collate(features):
        micro_batches.append([f["idx"] for f in features])
        return default_data_collator([{k: v for k, v in f.items() if k != "idx"} for f in features])

    class LrRecorder(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, optimizer=None, **kw):
            lr_used.append(optimizer.param_groups[0]["lr"])

    class RecordingTrainer(Trainer):
        def training_step(self, model, inputs, num_items_in_batch=None):
            loss = super().training_step(model, inputs, num_items_in_batch)
            micro_losses.append({"loss": float(loss), "num_items_in_batch":
                                 None if num_items_in_batch is None else int(num_items_in_batch)})
            return loss

    out_dir = Path("/tmp/kotune-oracle-train/run")
    shutil.rmtree(out_dir, ignore_errors=True)
    targs = dict(output_dir=str(out_dir), learning_rate=3e-5, weight_decay=0.01, logging_steps=1, seed=42,
                 max_grad_norm=1.0, lr_scheduler_type="linear", optim="adamw_torch", use_cpu=True, report_to=[],
                 save_strategy="no", remove_unused_columns=False, disable_tqdm=True, dataloader_num_workers=0,
                 **run)
    trainer = RecordingTrainer(model=model, args=TrainingArguments(**targs), train_dataset=dataset,
                               data_collator=collate, callbacks=[LrRecorder()])
    result = trainer.train()
    logs = [h for h in trainer.state.log_history if "loss" in h]
    final = [h for h in trainer.state.log_history if "train_loss" in h][0]
    gas = run["gradient_accumulation_steps"]
    steps = []
    for i, h in enumerate(logs):
        steps.append({"step": h["step"], "epoch": h["epoch"], "loss": h["loss"], "grad_norm": h["grad_norm"],
                      "learning_rate": h["learning_rate"], "lr_used": lr_used[i],
                      "micro_batches": micro_batches[i * gas:(i + 1) * gas],
                      "micro_losses": micro_losses[i * gas:(i + 1) * gas]})
    omitted = sorted(k for k in final if k not in ("train_loss", "total_flos", "epoch", "step"))
    metrics = {"global_step": result.global_step, "train_loss": final["train_loss"],
               "total_flos": final["total_flos"], "epoch": final["epoch"], "omitted_nondeterministic": omitted}
    return dict(torch=torch, model=model, trainer=trainer, prep=prep, steps=steps, metrics=metrics,
                initial_loss=initial_loss, loss_type_as_loaded=loss_type_as_loaded)


def train_run(name: str, run: dict) -> None:
    from transformers import TrainingArguments
    as_is = run_trainer(run, fix_label_count=False)
    r = run_trainer(run, fix_label_count=True)
    model, trainer, prep = r["model"], r["trainer"], r["prep"]
    a = trainer.args
    decay = trainer.get_decay_parameter_names(model)
    all_params = [n for n, _ in model.named_parameters()]
    blob = Blob(GOLDENS / "gpt2" / f"{name}.f32")
    params = dict(model.named_parameters())
    used = sorted(set(t for row in prep["input_ids"] for t in row))
    wte_rows = used + [100, 51199]  # two tokens never seen: only weight decay moves them
    arrays = {"transformer.wte.weight[rows]": blob.add("transformer.wte.weight[rows]",
                                                     params["transformer.wte.weight"].detach()[wte_rows].numpy())}
    for p in SELECTED_PARAMS:
        arrays[p] = blob.add(p, params[p].detach().numpy())
    blob.write()
    targets = sum(sum(1 for t in row[1:] if t != -100) for row in prep["labels"])
    non_ignored = sum(sum(1 for t in row if t != -100) for row in prep["labels"])
    write_json(GOLDENS / "gpt2" / f"{name}.json", {
        "oracle": oracle_versions(),
        "model": "conformance/models/tiny-kogpt2 (model.safetensors) loaded with resid_pdrop=embd_pdrop="
                 "attn_pdrop=0.0 (dropout off)",
        "attn_implementation": model.config._attn_implementation,
        "data": {"examples_file": "conformance/data/notebook_examples.json",
                 "prepare": "padding=max_length, max_length=64, truncation=True, completion_only=false "
                            "(= goldens/prepare/notebook_examples.json case max_length-64-full)",
                 "input_ids": prep["input_ids"], "attention_mask": prep["attention_mask"], "labels": prep["labels"],
                 "target_tokens": targets, "non_ignored_labels": non_ignored},
        "training_args": {
            "per_device_train_batch_size": a.per_device_train_batch_size,
            "gradient_accumulation_steps": a.gradient_accumulation_steps,
            "num_train_epochs": a.num_train_epochs, "max_steps_resolved": trainer.state.max_steps,
            "learning_rate": a.learning_rate, "weight_decay": a.weight_decay,
            "lr_scheduler_type": str(a.lr_scheduler_type.value), "warmup_steps": a.warmup_steps,
            "optim": str(a.optim.value), "adam_beta1": a.adam_beta1, "adam_beta2": a.adam_beta2,
            "adam_epsilon": a.adam_epsilon, "max_grad_norm": a.max_grad_norm, "seed": a.seed,
            "logging_steps": a.logging_steps, "dataloader_drop_last": a.dataloader_drop_last,
            "use_cpu": a.use_cpu, "average_tokens_across_devices": a.average_tokens_across_devices,
            "default_optim_in_this_transformers": str(TrainingArguments(output_dir="/tmp/x").optim.value),
        },
        "label_count_fix": {
            "applied": True,
            "what": "model.loss_type = 'ForCausalLM' before building the Trainer (as loaded: "
                    f"{r['loss_type_as_loaded']!r}); without it transformers {oracle_versions()['transformers']} "
                    "divides the summed token cross-entropy by the count of labels != -100 (unshifted, "
                    f"{non_ignored} here) instead of the {targets} shifted targets, scaling loss and gradients "
                    "by targets/non_ignored_labels; see transformers_as_is",
        },
        "initial_loss_direct": r["initial_loss"],
        "loss_rule": "each micro-batch loss = sum of its token cross-entropies / num_items_in_batch, where "
                     "num_items_in_batch counts labels[..., 1:] != -100 over ALL micro-batches of the optimizer "
                     "step; the logged step loss is the sum of its micro-batch losses (= the token mean over the "
                     "whole accumulated batch); learning_rate is the lr the optimizer step used",
        "data_order": "micro_batches lists the dataset indices (rows of data.input_ids) of each micro-batch in the "
                      "order the Trainer's sampler produced them",
        "parameters": all_params,
        "decay_parameters": [p for p in all_params if p in decay],
        "no_decay_parameters": [p for p in all_params if p not in decay],
        "steps": r["steps"],
        "final_metrics": r["metrics"],
        "params_after": {"wte_rows": wte_rows, "tensors": arrays,
                         "note": "transformer.wte.weight[rows] holds rows wte_rows of the trained wte, in that order"},
        "transformers_as_is": {
            "loss_type": as_is["loss_type_as_loaded"],
            "num_items_in_batch_counts": "labels != -100 including position 0 (not shifted)",
            "steps": [{k: s[k] for k in ("step", "loss", "grad_norm", "learning_rate", "micro_batches",
                                          "micro_losses")} for s in as_is["steps"]],
            "final_metrics": as_is["metrics"],
        },
        "tolerances": {"loss_rel": 1e-4, "grad_norm_rel": 1e-3, "params_abs": 1e-5},
        "arrays": blob.index,
    })


# ---- generation ----------------------------------------------------------------------------------------------------

def prompt_ids(tok, prompt: str) -> list[int]:
    return tok.encode(PROMPT_TEMPLATE.format(prompt=prompt)).ids


def run_generate(torch, model, ids, mask, **kw):
    out = model.generate(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), do_sample=False,
                         pad_token_id=PAD_ID, output_scores=True, output_logits=True, return_dict_in_generate=True,
                         **kw)
    nocache = model.generate(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), do_sample=False,
                             pad_token_id=PAD_ID, use_cache=False, **kw)
    return out, nocache


def margins(scores) -> list[list[float]]:
    """Per step and row: processed top-1 minus top-2 (how robust greedy argmax is)."""
    res = []
    for s in scores:
        top = s.float().topk(2, dim=-1).values
        res.append([float(x) for x in (top[:, 0] - top[:, 1])])
    return [list(r) for r in zip(*res)]


def cmd_generate(_args) -> None:
    torch, model = load_tiny()
    model.eval()
    tok = raw_tokenizer()
    examples = load_examples()
    p = [prompt_ids(tok, e["prompt"]) for e in examples]
    # EOS stopping needs a token the random model actually emits: take the 4th greedy token of the base case.
    with torch.no_grad():
        base, _ = run_generate(torch, model, [p[0]], [[1] * len(p[0])], max_new_tokens=12, repetition_penalty=1.2,
                               no_repeat_ngram_size=2)
    fake_eos = int(base.sequences[0, len(p[0]) + 3])
    specs = [
        ("notebook_greedy", [0], dict(max_new_tokens=20, repetition_penalty=1.2, no_repeat_ngram_size=2)),
        ("plain_greedy", [0], dict(max_new_tokens=20, repetition_penalty=1.0, no_repeat_ngram_size=0)),
        ("penalty_1_5_ngram_3", [1], dict(max_new_tokens=16, repetition_penalty=1.5, no_repeat_ngram_size=3)),
        ("penalty_1_2_only", [2], dict(max_new_tokens=16, repetition_penalty=1.2)),
        ("ngram_2_only", [3], dict(max_new_tokens=24, no_repeat_ngram_size=2)),
        ("ngram_3_only_long", [1], dict(max_new_tokens=40, no_repeat_ngram_size=3)),
        ("max_length_total", [2], dict(max_length=20, repetition_penalty=1.2, no_repeat_ngram_size=2)),
        ("eos_stops", [0], dict(max_new_tokens=12, repetition_penalty=1.2, no_repeat_ngram_size=2,
                                eos_token_id=fake_eos)),
        ("min_new_tokens_blocks_eos", [0], dict(max_new_tokens=12, min_new_tokens=6, repetition_penalty=1.2,
                                                no_repeat_ngram_size=2, eos_token_id=fake_eos)),
        ("two_eos_ids", [0], dict(max_new_tokens=12, repetition_penalty=1.2, no_repeat_ngram_size=2,
                                  eos_token_id=[EOS_ID, fake_eos])),
        ("single_token", [3], dict(max_new_tokens=1, repetition_penalty=1.2, no_repeat_ngram_size=2)),
        ("left_padded_batch", [0, 2, 3], dict(max_new_tokens=12, repetition_penalty=1.2, no_repeat_ngram_size=2)),
        ("left_padded_batch_eos", [0, 2, 3], dict(max_new_tokens=12, repetition_penalty=1.2, no_repeat_ngram_size=2,
                                                 eos_token_id=fake_eos)),
        ("left_padded_batch_plain", [1, 3, 0], dict(max_new_tokens=10)),
    ]
    cases = []
    for name, rows, kw in specs:
        seqs = [p[r] for r in rows]
        T = max(len(s) for s in seqs)
        ids = [[PAD_ID] * (T - len(s)) + s for s in seqs]
        mask = [[0] * (T - len(s)) + [1] * len(s) for s in seqs]
        with torch.no_grad():
            out, nocache = run_generate(torch, model, ids, mask, **kw)
        seq = out.sequences.tolist()
        if nocache.tolist() != seq:
            sys.exit(f"generate case {name}: KV-cache and no-cache outputs differ")
        m = margins(out.scores)
        cases.append({
            "name": name,
            "prompts": [examples[r]["prompt"] for r in rows],
            "input_ids": ids,
            "attention_mask": mask,
            "generate_kwargs": {"do_sample": False, "pad_token_id": PAD_ID, **kw},
            "sequences": seq,
            "new_tokens": [s[T:] for s in seq],
            "steps": len(out.scores),
            "min_top2_margin": min(min(r) for r in m),
            "top2_margins": m,
        })
    write_json(GOLDENS / "gpt2" / "generate.json", {
        "oracle": oracle_versions(),
        "model": "conformance/models/tiny-kogpt2 (model.safetensors), eval(), float32",
        "attn_implementation": model.config._attn_implementation,
        "tokenizer": tokenizer_header(),
        "prompt_template": PROMPT_TEMPLATE,
        "call": "model.generate(input_ids, attention_mask, **generate_kwargs); sequences = prompt (left-padded with "
                "pad id 3) + new tokens; rows that finished early are filled with pad_token_id",
        "fake_eos": {"id": fake_eos, "rule": "the 4th new token of greedy generation (max_new_tokens=12, "
                                             "repetition_penalty=1.2, no_repeat_ngram_size=2) for prompt 0: the "
                                             "random model never emits </s>, so eos_token_id is set to a token it does emit"},
        "generation_config_defaults": "model generation_config.json: bos 0, eos 1, pad 3; transformers 5 "
                                      "GenerationConfig fields default to None and are resolved by "
                                      "GenerationConfig._get_default_generation_params()",
        "semantics_transformers_5": [
            "left padding: position_ids = cumsum(mask) - 1 with padded slots filled with 0",
            "RepetitionPenaltyLogitsProcessor gets prompt_ignore_length = number of leading pad positions per row "
            "(argmax of mask != 0), so LEFT PADDING tokens are not penalised; every other prompt and generated token is",
            "NoRepeatNGramLogitsProcessor sees the whole row including left padding",
            "min_top2_margin: smallest (top1 - top2) of the processed scores over all steps/rows; greedy parity "
            "with a Java implementation is only robust where it is well above 1e-4",
        ],
        "checks": {"kv_cache_vs_no_cache_identical": True},
        "cases": cases,
    })
    cmd_processors(torch, model, tok, p)


def sparse_scores(torch, scores, ref=None, top: int = 64, limit: int = 2048) -> dict:
    s = scores.float()
    neg = torch.isneginf(s)
    n_neg = int(neg.sum())
    finite_idx = torch.nonzero(~neg).flatten()
    order = sorted(finite_idx.tolist(), key=lambda i: (-float(s[i]), i))[:top]
    out = {"num_neg_inf": n_neg,
           "neg_inf_ids": torch.nonzero(neg).flatten().tolist() if n_neg <= limit else None,
           "finite_ids": finite_idx.tolist() if len(finite_idx) <= limit else None,
           "min_finite_value": float(s[finite_idx].min()) if len(finite_idx) else None,
           "top_ids": order,
           "top_values": [float(s[i]) for i in order]}
    if ref is not None:
        changed = torch.nonzero((s != ref.float()) & ~neg).flatten()
        out["changed_finite_count"] = int(changed.numel())
        if changed.numel() <= limit:
            out["changed_ids"] = changed.tolist()
            out["changed_values"] = [float(s[i]) for i in changed.tolist()]
    return out


def cmd_processors(torch, model, tok, p) -> None:
    from transformers.generation.logits_process import (MinNewTokensLengthLogitsProcessor,
                                                        NoRepeatNGramLogitsProcessor,
                                                        RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                                                        TopKLogitsWarper, TopPLogitsWarper)
    # The processor list generate() builds for the notebook's sampling settings, and its processed scores.
    captured = {}
    original = model._get_logits_processor

    def capture(*a, **k):
        lst = original(*a, **k)
        captured["list"] = lst
        return lst

    model._get_logits_processor = capture
    notebook = dict(do_sample=True, temperature=0.3, top_p=0.9, repetition_penalty=1.2, no_repeat_ngram_size=2)
    ids0 = torch.tensor([p[0]])
    with torch.no_grad():
        torch.manual_seed(0)
        sampled = model.generate(input_ids=ids0, attention_mask=torch.ones_like(ids0), max_new_tokens=8,
                                 pad_token_id=PAD_ID, output_scores=True, output_logits=True,
                                 return_dict_in_generate=True, **notebook)
    model._get_logits_processor = original
    hf_chain = [type(x).__name__ for x in captured["list"]]
    chain = [("repetition_penalty_1.2", RepetitionPenaltyLogitsProcessor(1.2)),
             ("no_repeat_ngram_2", NoRepeatNGramLogitsProcessor(2)),
             ("temperature_0.3", TemperatureLogitsWarper(0.3)),
             ("top_k_50", TopKLogitsWarper(50)),
             ("top_p_0.9", TopPLogitsWarper(0.9))]
    # our chain must equal generate's own processed scores at every sampled step
    seq = sampled.sequences
    T0 = ids0.shape[1]
    for step, (raw, processed) in enumerate(zip(sampled.logits, sampled.scores)):
        x = raw.clone()
        for _, proc in chain:
            x = proc(seq[:, :T0 + step], x)
        if not torch.equal(x, processed):
            sys.exit(f"processor chain differs from generate() at sampled step {step}")
    singles = [("repetition_penalty_1.2", lambda n: RepetitionPenaltyLogitsProcessor(1.2)),
               ("repetition_penalty_1.5", lambda n: RepetitionPenaltyLogitsProcessor(1.5)),
               ("no_repeat_ngram_2", lambda n: NoRepeatNGramLogitsProcessor(2)),
               ("no_repeat_ngram_3", lambda n: NoRepeatNGramLogitsProcessor(3)),
               ("min_new_tokens_4_eos_1", lambda n: MinNewTokensLengthLogitsProcessor(len(p[0]), 4, EOS_ID)),
               ("temperature_0.3", lambda n: TemperatureLogitsWarper(0.3)),
               ("top_k_50", lambda n: TopKLogitsWarper(50)),
               ("top_p_0.9", lambda n: TopPLogitsWarper(0.9))]
    # steps along a greedy trajectory with repeats (plain greedy loops, so penalties and n-gram bans bite)
    with torch.no_grad():
        traj = model.generate(input_ids=ids0, attention_mask=torch.ones_like(ids0), do_sample=False,
                              max_new_tokens=12, pad_token_id=PAD_ID).tolist()[0]
    blob = Blob(GOLDENS / "gpt2" / "processors.f32")
    records = []
    for step, scale in ((0, 1.0), (5, 1.0), (11, 1.0), (11, 6.0)):
        ctx = traj[:len(p[0]) + step]
        with torch.no_grad():
            raw = model(input_ids=torch.tensor([ctx])).logits[:, -1, :].float() * scale  # (1, V)
        name = f"step{step}_scale{int(scale)}"
        rec = {"name": name, "input_ids": ctx, "scale": scale,
               "raw_scores": blob.add(name + ".raw_scores", raw[0].numpy()), "singles": {}, "chain": []}
        ids_t = torch.tensor([ctx])
        for sname, make in singles:
            rec["singles"][sname] = sparse_scores(torch, make(None)(ids_t, raw.clone())[0], raw[0])
        # transformers 5 generate(): repetition penalty ignores LEFT padding (prompt_ignore_length per row)
        padded = torch.tensor([[PAD_ID, PAD_ID] + ctx])
        rec["left_padded_input_ids"] = padded[0].tolist()
        rec["singles"]["repetition_penalty_1.2_left_pad_ignored"] = sparse_scores(
            torch, RepetitionPenaltyLogitsProcessor(1.2, prompt_ignore_length=torch.tensor([2]))(padded, raw.clone())[0],
            raw[0])
        rec["singles"]["repetition_penalty_1.2_left_pad_counted"] = sparse_scores(
            torch, RepetitionPenaltyLogitsProcessor(1.2)(padded, raw.clone())[0], raw[0])
        x = raw.clone()
        for cname, proc in chain:
            y = proc(ids_t, x.clone())
            rec["chain"].append({"processor": cname, **sparse_scores(torch, y[0], x[0])})
            x = y
        probs = torch.softmax(x, dim=-1)[0]
        kept = torch.nonzero(probs > 0).flatten().tolist()
        kept.sort(key=lambda i: (-float(probs[i]), i))
        rec["final_probs"] = {"ids": kept[:64], "probs": [float(probs[i]) for i in kept[:64]],
                              "num_nonzero": len(kept)}
        records.append(rec)
    blob.write()
    write_json(GOLDENS / "gpt2" / "processors.json", {
        "oracle": oracle_versions(),
        "model": "conformance/models/tiny-kogpt2 (model.safetensors), eval(), float32",
        "processor_classes": "transformers.generation.logits_process: RepetitionPenaltyLogitsProcessor, "
                             "NoRepeatNGramLogitsProcessor, MinNewTokensLengthLogitsProcessor, "
                             "TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper (min_tokens_to_keep=1), "
                             "each called as proc(input_ids (1, T), scores (1, V))",
        "generate_processor_list_for_notebook_sampling": {"generate_kwargs": notebook, "classes": hf_chain},
        "chain_equals_generate_processed_scores": True,
        "trajectory": {"rule": "plain greedy (no processors), max_new_tokens=12, from prompt 0 of "
                               "data/notebook_examples.json", "ids": traj},
        "record_format": {
            "input_ids": "context: the trajectory up to this step (prompt + step generated tokens)",
            "raw_scores": "last-position logits of the model for input_ids (times scale), float32, full vocab",
            "num_neg_inf": "how many ids are -inf after the processor",
            "min_finite_value": "the smallest finite score after the processor (the keep threshold of top-k/top-p)",
            "left_padded_input_ids": "[3, 3] + input_ids, for the two repetition_penalty_1.2_left_pad_* singles: "
                                     "'ignored' passes prompt_ignore_length=[2] as generate() does for left padding, "
                                     "'counted' does not (then the pad id 3 is penalised too)",
            "neg_inf_ids / finite_ids": "the -inf ids (null when more than 2048) / the finite ids (null when more "
                                        "than 2048), ascending",
            "top_ids / top_values": "the 64 highest finite scores, descending (ties by id)",
            "changed_ids / changed_values": "finite ids whose score differs from the processor's input, ascending, "
                                            "with the new value (null if more than 2048)",
            "chain": "notebook sampling order: repetition_penalty 1.2 → no_repeat_ngram 2 → temperature 0.3 → "
                     "top_k 50 (generate's default when sampling) → top_p 0.9; each entry is the output of that "
                     "stage given the previous stage's output",
            "final_probs": "softmax of the chain's output: the 64 most likely ids and their probabilities",
        },
        "records": records,
        "arrays": blob.index,
    })


# ---- hf-fake-gpt2 (a checkpoint transformers 4.36.2 wrote) ---------------------------------------------------------

FAKE_TEXTS = ["Hello, world!", "The quick brown fox jumps over the lazy dog.", " kotune 한국어 GPT-2"]


def cmd_fake_gpt2(_args) -> None:
    torch = torch_setup()
    import tokenizers
    from transformers import GPT2LMHeadModel
    d = shared(FAKE_GPT2)
    model = GPT2LMHeadModel.from_pretrained(d).eval()
    tok = tokenizers.Tokenizer.from_file(str(d / "tokenizer.json"))
    seqs = [tok.encode(t).ids for t in FAKE_TEXTS]
    T = max(len(s) for s in seqs)
    pad = model.config.eos_token_id
    ids = [s + [pad] * (T - len(s)) for s in seqs]
    mask = [[1] * len(s) + [0] * (T - len(s)) for s in seqs]
    ids_t, mask_t = torch.tensor(ids), torch.tensor(mask)
    with torch.no_grad():
        logits = model(input_ids=ids_t, attention_mask=mask_t).logits.float()
        for b, s in enumerate(seqs):
            alone = model(input_ids=torch.tensor([s])).logits[0]
            assert float((alone - logits[b, :len(s)]).abs().max()) < 1e-6
    cols = pick_columns([i for s in seqs for i in s], model.config.vocab_size)
    blob = Blob(GOLDENS / "gpt2" / "fake_gpt2_logits.f32")
    summary = logits_summary(torch, logits, mask_t, cols, blob, "")
    blob.write()
    files = {n: sha256_file(d / n) for n in ("config.json", "model.safetensors", "tokenizer.json")}
    write_json(GOLDENS / "gpt2" / "fake_gpt2_logits.json", {
        "oracle": oracle_versions(),
        "model": {"dir": FAKE_GPT2, "relative_to": "the shared data dir (../shared/data)", "sha256": files,
                  "note": "transformers 4.36.2 save_pretrained: 'transformer.' prefix, tied lm_head omitted"},
        "attn_implementation": model.config._attn_implementation,
        "tokenizer": "tokenizers.Tokenizer.from_file(hf-fake-gpt2/tokenizer.json).encode(text).ids (GPT-2 byte-level BPE)",
        "texts": FAKE_TEXTS,
        "padding_side": "right",
        "pad_id": pad,
        "position_ids_rule": "arange(T) (none passed)",
        "compare": "only positions with attention_mask == 1 are meaningful; logits tolerance 1e-4 abs",
        "input_ids": ids,
        "attention_mask": mask,
        **summary,
        "arrays": blob.index,
    })


# ----------------------------------------------------------------------------------------------------------------
# misc
# ----------------------------------------------------------------------------------------------------------------

def committed_files() -> list[Path]:
    files = []
    for root in (GOLDENS, MODELS):
        if root.exists():
            files += sorted(p for p in root.rglob("*") if p.is_file())
    return files


def cmd_sha256(_args) -> None:
    total = 0
    for p in committed_files():
        data = p.read_bytes()
        total += len(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {len(data):>10}  {p.relative_to(REPO)}")
    print(f"total {total} bytes")


def cmd_all(args) -> None:
    for f in (cmd_tokenizer, cmd_prepare, cmd_model, cmd_logits, cmd_train, cmd_generate, cmd_fake_gpt2):
        f(args)


def cmd_check_onnx(args) -> None:
    """onnx.checker on every *.onnx in DIR; ORT logits vs HF (optional); ORT GenAI greedy tokens (if installed)."""
    import numpy as np
    import onnx
    d = Path(args.dir)
    models = sorted(d.glob("*.onnx"))
    if not models:
        sys.exit(f"no *.onnx in {d}")
    for m in models:
        onnx.checker.check_model(str(m), full_check=True)
        proto = onnx.load(str(m), load_external_data=False)
        print(f"onnx.checker ok: {m.name} (ir {proto.ir_version}, opsets "
              f"{ {o.domain or 'ai.onnx': o.version for o in proto.opset_import} })")
    ids = [int(x) for x in args.prompt_ids.split(",")] if args.prompt_ids else CANONICAL_IDS
    import onnxruntime as ort
    sess = ort.InferenceSession(str(models[0]), providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        if i.name == "input_ids":
            feeds[i.name] = np.array([ids], dtype=np.int64)
        elif i.name == "attention_mask":
            feeds[i.name] = np.ones((1, len(ids)), dtype=np.int64)
        elif i.name == "position_ids":
            feeds[i.name] = np.arange(len(ids), dtype=np.int64)[None]
        elif i.name.startswith("past_key_values"):
            shape = [1 if j == 0 else (0 if j == 2 else d_) for j, d_ in enumerate(i.shape)]
            if any(not isinstance(x, int) for x in shape):
                sys.exit(f"cannot size past input {i.name} {i.shape}")
            feeds[i.name] = np.zeros(shape, dtype=np.float16 if "float16" in i.type else np.float32)
        else:
            sys.exit(f"unknown input {i.name}")
    logits = sess.run(["logits"], feeds)[0]
    print(f"onnxruntime {ort.__version__}: logits {logits.shape}, greedy next token {int(logits[0, -1].argmax())}")
    if args.hf_model:
        torch = torch_setup()
        from transformers import GPT2LMHeadModel
        hf = GPT2LMHeadModel.from_pretrained(args.hf_model).eval()
        with torch.no_grad():
            ref = hf(input_ids=torch.tensor([ids])).logits.numpy()
        print(f"max |onnx - hf| logits = {float(np.abs(ref - logits).max()):.3e}")
    try:
        import onnxruntime_genai as og
    except ImportError:
        print("onnxruntime-genai not installed: skipped (setup.sh --genai)")
        return
    if not (d / "genai_config.json").exists():
        print("no genai_config.json: ORT GenAI skipped")
        return
    model = og.Model(str(d))
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=args.max_length, do_sample=False)
    gen = og.Generator(model, params)
    gen.append_tokens(ids)
    while not gen.is_done():
        gen.generate_next_token()
    got = [int(t) for t in gen.get_sequence(0)]
    print(f"onnxruntime-genai {og.__version__} greedy: {got}")
    if args.hf_model:
        with torch.no_grad():
            ids_t = torch.tensor([ids])
            ref = hf.generate(ids_t, attention_mask=torch.ones_like(ids_t), do_sample=False, max_length=args.max_length,
                              pad_token_id=PAD_ID).tolist()[0]
        print(f"transformers greedy:            {ref}")
        if ref != got:
            sys.exit("MISMATCH between ORT GenAI and transformers greedy tokens")
        print("ORT GenAI greedy == transformers greedy")


def cmd_reference_onnx(args) -> None:
    """A plain-op GPT-2 ONNX with KV cache (REFERENCE.md layout) written from the checkpoint with explicit math;
    for exercising check-onnx and as an A/B peer for the Java exporter. Writes OUT/model.onnx + genai_config.json."""
    torch = torch_setup()
    from safetensors.torch import load_file
    from transformers import GPT2LMHeadModel
    src = Path(args.model)
    sd = load_file(str(src / "model.safetensors"))
    pre = "transformer." if any(k.startswith("transformer.") for k in sd) else ""
    cfg = json.loads((src / "config.json").read_text())
    L, H, E = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
    D, eps = E // H, cfg["layer_norm_epsilon"]
    g = lambda k: sd[pre + k]  # noqa: E731

    def ln(x, p):
        return torch.nn.functional.layer_norm(x, (E,), g(p + ".weight"), g(p + ".bias"), eps)

    def gelu_new(x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))

    class Gpt2WithPast(torch.nn.Module):
        def forward(self, input_ids, attention_mask, position_ids, *past):
            B, T = input_ids.shape
            x = g("wte.weight")[input_ids] + g("wpe.weight")[position_ids]  # (B, T, E)
            P = past[0].shape[2]
            causal = torch.ones(T, P + T, dtype=torch.bool).tril(diagonal=P)  # (T, P+T)
            allowed = causal[None, None] & attention_mask[:, None, None, :].bool()  # (B, 1, T, P+T)
            presents = []
            for i in range(L):
                q, k, v = (ln(x, f"h.{i}.ln_1") @ g(f"h.{i}.attn.c_attn.weight")
                           + g(f"h.{i}.attn.c_attn.bias")).split(E, dim=-1)  # 3 x (B, T, E)
                q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
                k = torch.cat([past[2 * i], k], dim=2)  # (B, H, P+T, D)
                v = torch.cat([past[2 * i + 1], v], dim=2)  # (B, H, P+T, D)
                presents += [k, v]
                w = (q @ k.transpose(-1, -2)) / math.sqrt(D)  # (B, H, T, P+T)
                w = w.masked_fill(~allowed, torch.finfo(w.dtype).min).softmax(-1)
                a = (w @ v).transpose(1, 2).reshape(B, T, E)  # (B, T, E)
                x = x + a @ g(f"h.{i}.attn.c_proj.weight") + g(f"h.{i}.attn.c_proj.bias")
                m = gelu_new(ln(x, f"h.{i}.ln_2") @ g(f"h.{i}.mlp.c_fc.weight") + g(f"h.{i}.mlp.c_fc.bias"))
                x = x + m @ g(f"h.{i}.mlp.c_proj.weight") + g(f"h.{i}.mlp.c_proj.bias")
            return (ln(x, "ln_f") @ g("wte.weight").T, *presents)  # (B, T, V), 2L x (B, H, P+T, D)

    module = Gpt2WithPast()
    ids = torch.tensor([CANONICAL_IDS])
    with torch.no_grad():
        ref = GPT2LMHeadModel.from_pretrained(src).eval()(input_ids=ids).logits
        mine = module(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None],
                      *[torch.zeros(1, H, 0, D) for _ in range(2 * L)])[0]
    diff = float((ref - mine).abs().max())
    print(f"explicit GPT-2 math vs transformers: max |diff| = {diff:.3e}")
    assert diff < 1e-4
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names_in = ["input_ids", "attention_mask", "position_ids"] + [
        f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    names_out = ["logits"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
           "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    dyn.update({n: {0: "batch", 2: "past"} for n in names_in[3:]})
    dyn.update({n: {0: "batch", 2: "total"} for n in names_out[1:]})
    sample = (ids[:, :3], torch.ones(1, 5, dtype=torch.long), torch.tensor([[2, 3, 4]]),
              *[torch.zeros(1, H, 2, D) for _ in range(2 * L)])
    torch.onnx.export(module, sample, str(out / "model.onnx"), dynamo=False, input_names=names_in,
                      output_names=names_out, dynamic_axes=dyn, opset_version=17)
    genai = {"model": {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"],
                       "pad_token_id": cfg.get("pad_token_id", cfg["eos_token_id"]),
                       "context_length": cfg["n_positions"], "vocab_size": cfg["vocab_size"],
                       # ORT GenAI 0.18's "gpt2" type expects the old combined past_%d layout; the generic decoder
                       # path ("llama" type) drives separate past_key_values.%d.key/value tensors.
                       "type": "llama",
                       "decoder": {"filename": "model.onnx", "session_options": {"provider_options": []},
                                   "head_size": D, "hidden_size": E, "num_attention_heads": H,
                                   "num_key_value_heads": H, "num_hidden_layers": L,
                                   "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                                              "position_ids": "position_ids",
                                              "past_key_names": "past_key_values.%d.key",
                                              "past_value_names": "past_key_values.%d.value"},
                                   "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                                               "present_value_names": "present.%d.value"}}},
             "search": {"do_sample": False, "max_length": 64, "num_beams": 1, "top_k": 50, "top_p": 1.0,
                        "temperature": 1.0, "repetition_penalty": 1.0}}
    (out / "genai_config.json").write_text(json.dumps(genai, indent=1) + "\n")
    print(f"wrote {out / 'model.onnx'} and {out / 'genai_config.json'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("tokenizer", cmd_tokenizer), ("prepare", cmd_prepare), ("model", cmd_model),
                     ("logits", cmd_logits), ("generate", cmd_generate), ("fake-gpt2", cmd_fake_gpt2),
                     ("all", cmd_all), ("sha256", cmd_sha256)):
        sub.add_parser(name).set_defaults(fn=fn)
    tr = sub.add_parser("train")
    tr.add_argument("--run", choices=sorted(TRAIN_RUNS))
    tr.set_defaults(fn=cmd_train)
    ro = sub.add_parser("reference-onnx")
    ro.add_argument("out", help="output dir (keep it outside the repo, e.g. /tmp/kotune-ref-onnx)")
    ro.add_argument("--model", default=str(TINY_DIR))
    ro.set_defaults(fn=cmd_reference_onnx)
    co = sub.add_parser("check-onnx")
    co.add_argument("dir")
    co.add_argument("--hf-model", help="HF model dir to compare first-step logits with")
    co.add_argument("--prompt-ids", help="comma-separated ids (default: the canonical KoGPT2 example)")
    co.add_argument("--max-length", type=int, default=32)
    co.set_defaults(fn=cmd_check_onnx)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
