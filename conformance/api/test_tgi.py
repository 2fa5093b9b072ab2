"""TGI's routes through huggingface_hub's InferenceClient (POST /, /generate, /generate_stream, /info, /tokenize)."""
import huggingface_hub
import pytest
from huggingface_hub import InferenceClient

from common import PROMPT, greedy


@pytest.fixture(scope="module")
def tgi(base_url):
    return InferenceClient(base_url=base_url)


def test_text_generation_with_details_answers_as_the_completions_route(tgi, client, model, record):
    out = tgi.text_generation(PROMPT, max_new_tokens=12, details=True)
    assert out.details.finish_reason in ("length", "eos_token", "stop_sequence")
    assert out.details.generated_tokens == len(out.details.tokens)
    assert "".join(t.text for t in out.details.tokens) == out.generated_text
    assert out.generated_text == greedy(client, model).choices[0].text
    record("tgi greedy", out.generated_text)


def test_stream_with_details_adds_up_and_the_last_event_carries_them(tgi):
    unary = tgi.text_generation(PROMPT, max_new_tokens=12)
    parts, last = [], None
    for event in tgi.text_generation(PROMPT, max_new_tokens=12, stream=True, details=True):
        parts.append(event.token.text)
        last = event
    assert last is not None and last.details is not None
    assert "".join(parts) == last.generated_text == unary


def test_top_n_tokens_stop_and_return_full_text(tgi):
    out = tgi.text_generation(PROMPT, max_new_tokens=6, details=True, top_n_tokens=2, return_full_text=True)
    assert out.generated_text.startswith(PROMPT)
    assert all(t.logprob <= 0 for t in out.details.tokens)
    plain = tgi.text_generation(PROMPT, max_new_tokens=12)
    stop = plain.strip()[-2:]
    cut = tgi.text_generation(PROMPT, max_new_tokens=12, stop=[stop], details=True)
    assert cut.details.finish_reason == "stop_sequence"


def test_unsupported_tgi_parameters_are_refused_by_name(tgi):
    with pytest.raises(huggingface_hub.errors.HfHubHTTPError) as e:
        tgi.text_generation(PROMPT, max_new_tokens=4, typical_p=0.5)
    assert "typical_p" in str(e.value) or "typical_p" in e.value.response.text


def test_info_and_tgi_tokenize(http):
    info = http.get("/info")
    assert info.status_code == 200 and info.json()["max_total_tokens"] > 0
    r = http.post("/tokenize", json={"inputs": PROMPT})
    assert r.status_code == 200
    tokens = r.json()
    raw = PROMPT.encode("utf-8")
    assert tokens and all(raw[t["start"]:t["stop"]].decode("utf-8") == t["text"] for t in tokens)
