#!/usr/bin/env python3
"""Oracle for kotune's own tokenizer, models/kotune-ko-bpe-8k (trained in Java by `./kotune train-tokenizer`).

Runs OUTSIDE CI, in conformance/.venv (tokenizers 0.23.3, transformers 5.23.0; see setup.sh).

    python conformance/kotune_bpe_oracle.py check     # HF's BpeTrainer on the same corpora and settings writes a
                                                      # byte-identical tokenizer.json; transformers loads the dir
    python conformance/kotune_bpe_oracle.py goldens   # goldens/kotune-ko-bpe-8k/encode.json (ids digests per corpus,
                                                      # read by the Java parity test through DJL)
    python conformance/kotune_bpe_oracle.py stats     # tokens per ChatbotData pair: this tokenizer vs KoGPT2's

Shared data (never copied into the repo) is read from $KOTUNE_SHARED_DIR/data, default <repo>/../shared/data.
The corpora are read exactly as dev.kotune.tokenization.train.CorpusReader reads them: strict UTF-8, a leading BOM
skipped; text files cut at \\r\\n, \\n and \\r (no empty last line after a final terminator); CSV files with Python's
csv module (newline=''), the chosen columns' cells row by row.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import re
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_DATA = Path(os.environ.get("KOTUNE_SHARED_DIR", str(REPO.parent / "shared"))) / "data"
MODEL_DIR = REPO / "models" / "kotune-ko-bpe-8k"
GOLDEN = HERE / "goldens" / "kotune-ko-bpe-8k" / "encode.json"
EXAMPLES_FILE = HERE / "data" / "notebook_examples.json"
TEXT_TEMPLATE = "질문: {prompt}\n답변:{completion}"
KOGPT2_TOKENIZER = "kogpt2/tokenizer.json"

SPECIAL_TOKENS = ["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>"]
VOCAB_SIZE = 8000
INITIAL_ALPHABET = ["\n"]
# (name, file relative to the shared data dir, CSV columns or None)
CORPORA = [
    ("chatbot", "chatbot/ChatbotData.csv", ["Q", "A"]),
    ("nsmc", "nsmc/nsmc_reviews_sample.txt", None),
    ("constitution", "constitution/constitution.txt", None),
]
DIGEST = {
    "algorithm": "sha256",
    "input": "for each text in corpus order, its ids as ASCII decimal numbers joined by ',' (no spaces; an empty "
             "id list is the empty string); those strings joined by '\\n' (no final '\\n'); UTF-8",
    "output": "64 lowercase hex characters",
}


def read_sequences(relative: str, columns) -> list[str]:
    raw = (SHARED_DATA / relative).read_bytes().decode("utf-8", errors="strict")
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if columns is None:
        lines = re.split(r"\r\n|\n|\r", raw)
        if lines and lines[-1] == "":
            lines.pop()
        return lines
    rows = [r for r in csv.reader(io.StringIO(raw, newline="")) if r]
    header = rows[0]
    index = [header.index(c) for c in columns]
    return [row[i] for row in rows[1:] for i in index]


def all_sequences() -> list[str]:
    return [s for _, rel, cols in CORPORA for s in read_sequences(rel, cols)]


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def ids_digest(list_of_ids) -> str:
    return sha256_bytes("\n".join(",".join(str(i) for i in ids) for ids in list_of_ids).encode("ascii"))


def versions() -> dict:
    out = {}
    for pkg in ("tokenizers", "transformers"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            pass
    out["python"] = platform.python_version()
    return out


def hf_trained_json() -> str:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=False),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, min_frequency=0, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=INITIAL_ALPHABET, show_progress=False)
    tok.train_from_iterator(all_sequences(), trainer)
    return tok.to_str(pretty=True)


def cmd_check(_args) -> int:
    committed = (MODEL_DIR / "tokenizer.json").read_bytes()
    hf = hf_trained_json().encode("utf-8")
    print(f"committed tokenizer.json sha256 {sha256_bytes(committed)}  {len(committed)} bytes")
    print(f"HF BpeTrainer   tokenizer.json sha256 {sha256_bytes(hf)}  {len(hf)} bytes")
    same = committed == hf
    print("byte-identical" if same else "DIFFERENT")
    from tokenizers import Tokenizer
    roundtrip = Tokenizer.from_str(committed.decode("utf-8")).to_str(pretty=True).encode("utf-8")
    print("tokenizers re-serializes it unchanged" if roundtrip == committed
          else "tokenizers RE-SERIALIZES IT DIFFERENTLY")
    from transformers import AutoTokenizer
    t = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    print(f"transformers: {type(t).__name__} bos={t.bos_token}({t.bos_token_id}) eos={t.eos_token}({t.eos_token_id}) "
          f"pad={t.pad_token}({t.pad_token_id}) unk={t.unk_token}({t.unk_token_id}) "
          f"mask={t.mask_token}({t.mask_token_id}) model_max_length={t.model_max_length} vocab={len(t)}")
    return 0 if same and roundtrip == committed else 1


def cmd_goldens(_args) -> int:
    from tokenizers import Tokenizer
    path = MODEL_DIR / "tokenizer.json"
    tok = Tokenizer.from_file(str(path))
    unk = tok.token_to_id("<unk>")
    corpora = []
    for name, rel, cols in CORPORA:
        texts = read_sequences(rel, cols)
        ids = [e.ids for e in tok.encode_batch(texts)]
        entry = {"name": name, "file": rel}
        if cols:
            entry["csv_columns"] = cols
        entry.update({
            "file_sha256": sha256_bytes((SHARED_DATA / rel).read_bytes()),
            "texts": len(texts),
            "tokens": sum(len(x) for x in ids),
            "unk": sum(x.count(unk) for x in ids),
            "digest": ids_digest(ids),
        })
        corpora.append(entry)
    examples = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    notebook = []
    for ex in examples:
        text = TEXT_TEMPLATE.replace("{prompt}", ex["prompt"]).replace("{completion}", ex["completion"])
        enc = tok.encode(text)
        notebook.append({"text": text, "ids": enc.ids, "tokens": enc.tokens, "decoded": tok.decode(enc.ids)})
    golden = {
        "oracle": versions(),
        "tokenizer": {"file": "models/kotune-ko-bpe-8k/tokenizer.json", "sha256": sha256_bytes(path.read_bytes())},
        "encode": "tokenizers.Tokenizer.from_file(tokenizer.json).encode(text).ids (no post-processor: nothing added)",
        "reading": "as dev.kotune.tokenization.train.CorpusReader (see this script's docstring); files relative to "
                   "the shared data dir (../shared/data)",
        "digest": DIGEST,
        "corpora": corpora,
        "notebook": notebook,
    }
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(golden, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    GOLDEN.write_bytes(data)
    print(f"wrote {GOLDEN.relative_to(REPO)}  {len(data)} bytes  sha256 {sha256_bytes(data)}")
    for c in corpora:
        print(f"  {c['name']:<13} texts {c['texts']:>6}  tokens {c['tokens']:>8}  unk {c['unk']}")
    return 0


def cmd_stats(_args) -> int:
    from tokenizers import Tokenizer
    ours = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    kogpt2 = Tokenizer.from_file(str(SHARED_DATA / KOGPT2_TOKENIZER))
    q, a = read_sequences("chatbot/ChatbotData.csv", ["Q"]), read_sequences("chatbot/ChatbotData.csv", ["A"])
    texts = [f"질문: {x}\n답변: {y}" for x, y in zip(q, a)]
    print(f"{len(texts)} ChatbotData pairs formatted as '질문: {{Q}}\\n답변: {{A}}'")
    for name, tok in (("kotune-ko-bpe-8k", ours), ("KoGPT2 (51,200)", kogpt2)):
        n = [len(e.ids) for e in tok.encode_batch(texts)]
        unk = tok.token_to_id("<unk>")
        unks = sum(e.ids.count(unk) for e in tok.encode_batch(texts))
        print(f"  {name:<17} tokens per pair: median {statistics.median(n):g}, mean {statistics.mean(n):.2f}, "
              f"max {max(n)}, total {sum(n)}; <unk> {unks}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check").set_defaults(fn=cmd_check)
    sub.add_parser("goldens").set_defaults(fn=cmd_goldens)
    sub.add_parser("stats").set_defaults(fn=cmd_stats)
    args = p.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
