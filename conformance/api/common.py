"""Prompts and helpers shared by the checks."""
QUESTION = "안녕하세요?"
PROMPT = f"질문: {QUESTION}\n답변:"  # the chat template of the served model renders one user message to this
OTHER = "오늘 날씨 어때?"


def greedy(client, model, prompt=PROMPT, **kw):
    kw.setdefault("max_tokens", 12)
    return client.completions.create(model=model, prompt=prompt, temperature=0, **kw)


def token_ids(http, model, text):
    """vLLM's /tokenize (kotune serves it too): the ids of text, no special tokens."""
    r = http.post("/tokenize", json={"model": model, "prompt": text, "add_special_tokens": False})
    r.raise_for_status()
    return r.json()["tokens"]
