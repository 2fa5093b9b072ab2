"""vLLM's POST /tokenize and /detokenize."""
from common import PROMPT


def test_tokenize_then_detokenize_round_trips_and_counts_as_usage(http, client, model, record):
    t = http.post("/tokenize", json={"model": model, "prompt": PROMPT})
    assert t.status_code == 200
    body = t.json()
    assert body["count"] == len(body["tokens"]) > 0 and body["max_model_len"] > 0
    c = client.completions.create(model=model, prompt=PROMPT, max_tokens=1, temperature=0)
    assert c.usage.prompt_tokens == body["count"]
    d = http.post("/detokenize", json={"model": model, "tokens": body["tokens"]})
    assert d.status_code == 200 and d.json()["prompt"] == PROMPT
    record("tokenize prompt", body["tokens"])


def test_tokenize_messages_applies_the_chat_template(http, model):
    chat = http.post("/tokenize", json={"model": model, "messages": [{"role": "user", "content": "안녕하세요?"}]})
    plain = http.post("/tokenize", json={"model": model, "prompt": PROMPT, "add_special_tokens": False})
    assert chat.status_code == plain.status_code == 200
    assert chat.json()["tokens"] == plain.json()["tokens"]


def test_bad_tokenize_requests_are_400_and_an_unknown_model_404(http, model):
    assert http.post("/tokenize", json={"model": "no-such-model", "prompt": "hi"}).status_code == 404
    bad = http.post("/detokenize", json={"model": model, "tokens": "x"})
    assert bad.status_code == 400 and "tokens" in bad.text
