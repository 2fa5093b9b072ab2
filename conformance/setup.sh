#!/usr/bin/env bash
# Creates conformance/.venv (gitignored) with the exact pins of requirements.txt.
# Usage: conformance/setup.sh            full oracle env (torch, several GB)
#        conformance/setup.sh --tokenizer-only   light env (.venv-tokenizer) for the tokenizer goldens
#        conformance/setup.sh --genai    also install onnxruntime-genai (optional, for check-onnx)
#        conformance/setup.sh --peft     also install peft (peft_oracle.py: LoRA goldens and the adapter check)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-python3.11}"
venv="$here/.venv"; reqs=("$here/requirements.txt")
for arg in "$@"; do
  case "$arg" in
    --tokenizer-only) venv="$here/.venv-tokenizer"; reqs=("$here/requirements-tokenizer.txt") ;;
    --genai) reqs+=("$here/requirements-genai.txt") ;;
    --peft) reqs+=("$here/requirements-peft.txt") ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
if [ ! -x "$venv/bin/python" ]; then "$py" -m venv "$venv"; fi
"$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip==26.3
for r in "${reqs[@]}"; do
  "$venv/bin/python" -m pip install --disable-pip-version-check -r "$r" -c "$here/requirements-lock.txt"
done
"$venv/bin/python" -m pip freeze > /tmp/oracle-freeze.txt
echo "ok: $venv ($(wc -l < /tmp/oracle-freeze.txt) packages; freeze in /tmp/oracle-freeze.txt)"
