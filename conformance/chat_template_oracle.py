#!/usr/bin/env python3
"""Chat-template goldens: transformers' apply_chat_template(..., tokenize=False) on fixed templates and conversations.

Writes goldens/chat/chat_templates.json, which tokenization's ChatTemplateGoldenTest compares with Jinjava's output
byte for byte. No torch: transformers + tokenizers + jinja2 only (requirements-chat.txt), e.g.

    python3.11 -m venv /tmp/chat-oracle
    /tmp/chat-oracle/bin/pip install -r conformance/requirements-chat.txt -c conformance/requirements-lock.txt
    /tmp/chat-oracle/bin/python conformance/chat_template_oracle.py          # from the repo root

Each template is saved the HF way: a directory with a tiny tokenizer.json (special tokens only) and a
tokenizer_config.json holding `chat_template` (a string, or the list-of-{name, template} form) and the special
tokens. The directory is loaded with PreTrainedTokenizerFast.from_pretrained, so the oracle also checks how HF picks
the template and the special tokens it passes (bos_token, eos_token, ...). Re-running rewrites a byte-identical file.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "goldens" / "chat" / "chat_templates.json"

# KoGPT2's special tokens (bos = eos = </s>, as its model card uses them).
KOGPT2_SPECIALS = {"bos_token": "</s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                   "mask_token": "<mask>"}
# A Llama/ChatML-like set where bos and eos differ, so a template that swaps them shows it.
DISTINCT_SPECIALS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


def for_prompt_template(prompt_template: str, append_eos: bool = True) -> str:
    """Python twin of ChatTemplate.forPromptTemplate (the Java test checks both give the same text)."""
    p, c = prompt_template.index("{prompt}"), prompt_template.index("{completion}")
    pre = prompt_template[:p]
    mid = prompt_template[p + len("{prompt}"):c]
    post = prompt_template[c + len("{completion}"):]

    def lit(s: str) -> str:
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r") \
            .replace("\t", "\\t") + "'"

    def cat(*parts: str) -> str:
        return " + ".join(x for x in parts if x != "''")

    assistant = cat("message['content']", lit(post), "eos_token" if append_eos else "''")
    return (
        "{#- kotune: the training text's template as a chat template. A system message may come first (its content"
        " and a newline); then user turns render as the prompt part, assistant turns as completion"
        + (" + eos_token" if append_eos else "") + ". add_generation_prompt adds nothing: a user turn already ends"
        " where the answer starts. -#}\n"
        "{%- for message in messages -%}\n"
        "{%- if message['role'] == 'system' and loop.first -%}\n"
        "{%- if message['content'] -%}{{- message['content'] + '\\n' -}}{%- endif -%}\n"
        "{%- elif message['role'] == 'user' -%}\n"
        "{{- " + cat(lit(pre), "message['content']", lit(mid)) + " -}}\n"
        "{%- elif message['role'] == 'assistant' -%}\n"
        "{{- " + assistant + " -}}\n"
        "{%- else -%}\n"
        "{{- raise_exception('kotune chat template: messages[' ~ loop.index0 ~ '] has role \\'' ~ message['role']"
        " ~ '\\'; only a first system message, then user and assistant messages are supported') -}}\n"
        "{%- endif -%}\n"
        "{%- endfor -%}"
    )


NOTEBOOK = "질문: {prompt}\n답변:{completion}"
# Text after {completion}, quotes, backslashes and Jinja-looking braces in the literal parts.
ODD = "### 'Q' \\ {{ not jinja }} {% raw %}\n{prompt}\n### A:{completion}\n\n"

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'"
    " + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
# Zephyr-style: one tag per line, relying on trim_blocks + lstrip_blocks; loop.last with add_generation_prompt.
ZEPHYR = (
    "{% for message in messages %}\n"
    "{% if message['role'] == 'user' %}\n"
    "{{ '<|user|>\\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'system' %}\n"
    "{{ '<|system|>\\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'assistant' %}\n"
    "{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n"
    "{% endif %}\n"
    "{% if loop.last and add_generation_prompt %}\n"
    "{{ '<|assistant|>' }}\n"
    "{% endif %}\n"
    "{% endfor %}"
)
# Llama-2-style: messages[0]['role'], slicing, set in a loop, raise_exception on bad alternation, bos_token, | trim.
LLAMA2 = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
    "{% set system_message = false %}{% endif %}"
    "{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 and system_message != false %}"
    "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
    "{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content | trim + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + content | trim + ' ' + eos_token }}{% endif %}"
    "{% endfor %}"
)
# Whitespace control with {%- -%} / {{- -}}, indented tags, attribute access (message.role), a trailing newline.
WHITESPACE = (
    "{%- for message in messages -%}\n"
    "    {%- if message.role == 'system' -%}\n"
    "        {{- message.content | trim -}}\n"
    "        {{- '\\n\\n' -}}\n"
    "    {%- else -%}\n"
    "        <{{ message.role }}>: {{ message.content | trim }}\n"
    "    {% endif -%}\n"
    "{%- endfor -%}\n"
    "{%- if add_generation_prompt %}\n"
    "<assistant>:{% endif %}\n"
)
# Only roles it knows; else raise_exception with the role in the message.
STRICT_ROLES = (
    "{% for message in messages %}"
    "{% if message['role'] not in ['system', 'user', 'assistant'] %}"
    "{{ raise_exception('Unknown role: ' + message['role']) }}{% endif %}"
    "[{{ message['role'] | upper }}] {{ message['content'] }}\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}[ASSISTANT]{% endif %}"
)

TEMPLATES = {
    "kotune-notebook": {
        "config": {"chat_template": for_prompt_template(NOTEBOOK), **KOGPT2_SPECIALS},
        "made_from": {"prompt_template": NOTEBOOK, "append_eos": True},
    },
    "kotune-no-eos": {
        "config": {"chat_template": for_prompt_template(NOTEBOOK, append_eos=False), **KOGPT2_SPECIALS},
        "made_from": {"prompt_template": NOTEBOOK, "append_eos": False},
    },
    "kotune-odd": {
        "config": {"chat_template": for_prompt_template(ODD), **KOGPT2_SPECIALS},
        "made_from": {"prompt_template": ODD, "append_eos": True},
    },
    "chatml": {"config": {"chat_template": CHATML, **DISTINCT_SPECIALS}},
    "zephyr": {"config": {"chat_template": ZEPHYR, **DISTINCT_SPECIALS}},
    "llama2": {"config": {"chat_template": LLAMA2, **DISTINCT_SPECIALS}},
    "whitespace": {"config": {"chat_template": WHITESPACE, **KOGPT2_SPECIALS}},
    # HF's list form: the "default" entry is used.
    "named-list": {"config": {"chat_template": [{"name": "tool_use", "template": "{{ raise_exception('not me') }}"},
                                                {"name": "default", "template": STRICT_ROLES}],
                              **{"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                                               "rstrip": False, "single_word": False, "special": True},
                                 "eos_token": "</s>", "unk_token": "<unk>"}}},
}

CONVERSATIONS = {
    "one-user": [{"role": "user", "content": "배고파"}],
    "system-user": [{"role": "system", "content": "너는 친절한 상담원이야."}, {"role": "user", "content": "배고파"}],
    "multi-turn": [{"role": "user", "content": "배고파"}, {"role": "assistant", "content": "뭐 좀 먹어요."},
                   {"role": "user", "content": "뭐 먹지?"}],
    "system-multi-turn": [{"role": "system", "content": "  짧게 답해.\n"},
                          {"role": "user", "content": " 안녕하세요 "},
                          {"role": "assistant", "content": "안녕하세요!\n"},
                          {"role": "user", "content": "\t날씨 어때?\n"}],
    "ends-with-assistant": [{"role": "user", "content": "1+1은?"}, {"role": "assistant", "content": "2"}],
    # Data that looks like template syntax or escapes must come out as it is.
    "tricky-content": [{"role": "user", "content": "{{ eos_token }} {% if %} 'quote' \"dq\" \\n back\\slash </s>"}],
    "empty-system": [{"role": "system", "content": ""}, {"role": "user", "content": "hi"}],
    "bad-role": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "42"}],
    "not-alternating": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
    "system-later": [{"role": "user", "content": "a"}, {"role": "system", "content": "b"}],
}


def versions() -> dict:
    return {
        "transformers": importlib.metadata.version("transformers"),
        "tokenizers": importlib.metadata.version("tokenizers"),
        "jinja2": importlib.metadata.version("jinja2"),
        "python": platform.python_version(),
    }


def tiny_tokenizer(directory: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {t: i for i, t in enumerate(["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>"])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.add_special_tokens(list(vocab))
    tok.save(str(directory / "tokenizer.json"))


def render_all() -> dict:
    from transformers import PreTrainedTokenizerFast

    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in TEMPLATES.items():
            d = Path(tmp) / name
            d.mkdir()
            tiny_tokenizer(d)
            (d / "tokenizer_config.json").write_text(json.dumps(spec["config"], ensure_ascii=False), "utf-8")
            tokenizer = PreTrainedTokenizerFast.from_pretrained(str(d))
            spec["special_tokens_map"] = dict(tokenizer.special_tokens_map)
            for conv_name, conversation in CONVERSATIONS.items():
                for add_generation_prompt in (True, False):
                    case = {"template": name, "conversation": conv_name, "add_generation_prompt": add_generation_prompt}
                    try:
                        case["rendered"] = tokenizer.apply_chat_template(
                            conversation, tokenize=False, add_generation_prompt=add_generation_prompt)
                    except Exception as e:  # jinja2.TemplateError from raise_exception, or a template error
                        case["error"] = {"type": type(e).__name__, "message": str(e)}
                    cases.append(case)
    return {
        "oracle": versions(),
        "renderer": "PreTrainedTokenizerFast.from_pretrained(dir with tokenizer.json + tokenizer_config.json)"
                    ".apply_chat_template(messages, tokenize=False, add_generation_prompt=...)",
        "jinja_environment": "ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), "
                             "globals raise_exception (jinja2.TemplateError), strftime_now, namespace; filter tojson",
        "templates": {k: {"tokenizer_config": v["config"], "made_from": v.get("made_from"),
                          "special_tokens_map": v["special_tokens_map"]} for k, v in TEMPLATES.items()},
        "conversations": CONVERSATIONS,
        "cases": cases,
    }


def main() -> int:
    golden = render_all()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(golden, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    OUT.write_bytes(data)
    errors = sum(1 for c in golden["cases"] if "error" in c)
    print(f"wrote {OUT.relative_to(HERE.parent)} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}):"
          f" {len(golden['cases'])} cases, {errors} errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
