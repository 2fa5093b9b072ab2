"""Errors as an OpenAI client sees them: 400 naming the field, 404 for an unknown model, no implementation details."""
import openai
import pytest

from common import PROMPT


@pytest.mark.parametrize("field,value", [("top_p", 7), ("temperature", -1), ("max_tokens", -3), ("n", 0),
                                         ("presence_penalty", 3), ("logprobs", 50)])
def test_a_value_out_of_range_is_a_400_naming_the_field(client, model, field, value):
    with pytest.raises(openai.BadRequestError) as e:
        client.completions.create(model=model, prompt=PROMPT, **{field: value})
    assert e.value.status_code == 400
    assert field in str(e.value)


def test_logit_bias_out_of_range_is_a_400(client, model):
    with pytest.raises(openai.BadRequestError) as e:
        client.completions.create(model=model, prompt=PROMPT, max_tokens=2, logit_bias={"5": 300})
    assert "logit_bias" in str(e.value)


def test_chat_top_logprobs_out_of_range_is_a_400(client, model):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=2,
                                       logprobs=True, top_logprobs=30)
    assert "top_logprobs" in str(e.value)


def test_an_unknown_model_is_a_404(client):
    with pytest.raises(openai.NotFoundError) as e:
        client.completions.create(model="no-such-model", prompt=PROMPT, max_tokens=2)
    assert e.value.status_code == 404


def test_malformed_json_is_a_400_that_says_so(http):
    r = http.post("/v1/completions", content=b'{"prompt": "hi", "max_tokens": 4', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert "json" in r.text.lower()
    assert "java" not in r.text.lower() and "jackson" not in r.text.lower()


def test_a_mistyped_field_is_a_400_naming_it(http, model):
    r = http.post("/v1/completions", json={"model": model, "prompt": "hi", "max_tokens": "many"})
    assert r.status_code == 400
    assert "max_tokens" in r.text
    assert "dev.kotune" not in r.text


def test_unknown_fields_are_ignored(client, model):
    c = client.completions.create(model=model, prompt=PROMPT, max_tokens=2, temperature=0, user="someone",
                                  extra_body={"no_such_field": 1, "metadata": {"a": "b"}})
    assert len(c.choices) == 1
