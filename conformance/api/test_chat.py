"""POST /v1/chat/completions through the official openai client."""
from common import PROMPT, QUESTION, greedy

MESSAGES = [{"role": "user", "content": QUESTION}]


def chat(client, model, **kw):
    kw.setdefault("max_tokens", 12)
    return client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, **kw)


def test_one_user_message_answers_as_the_completion_of_the_templated_prompt(client, model, record):
    c = chat(client, model)
    assert c.object == "chat.completion"
    assert c.choices[0].message.role == "assistant"
    assert c.choices[0].message.content == greedy(client, model).choices[0].text
    assert c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens
    record("chat greedy", c.choices[0].message.content)


def test_stream_role_once_content_adds_up_usage_chunk(client, model):
    unary = chat(client, model)
    roles, parts, finish, usage = [], [], None, None
    for chunk in client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=12, temperature=0,
                                                stream=True, stream_options={"include_usage": True}):
        for ch in chunk.choices:
            if ch.delta.role:
                roles.append(ch.delta.role)
            parts.append(ch.delta.content or "")
            finish = ch.finish_reason or finish
        usage = chunk.usage or usage
    assert roles == ["assistant"]
    assert "".join(parts) == unary.choices[0].message.content
    assert finish in ("stop", "length")
    assert usage is not None and usage.completion_tokens == unary.usage.completion_tokens


def test_max_completion_tokens_n_and_stop(client, model):
    c = client.chat.completions.create(model=model, messages=MESSAGES, max_completion_tokens=5, temperature=0,
                                       extra_body={"ignore_eos": True})
    assert c.usage.completion_tokens == 5 and c.choices[0].finish_reason == "length"
    n = client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=4, n=2, temperature=1.0, seed=7)
    assert sorted(x.index for x in n.choices) == [0, 1]
    text = chat(client, model, max_tokens=12, extra_body={"ignore_eos": True}).choices[0].message.content
    stop = text.strip()[-2:]
    cut = chat(client, model, max_tokens=12, stop=stop, extra_body={"ignore_eos": True})
    assert cut.choices[0].finish_reason == "stop" and cut.choices[0].message.content == text[: text.index(stop)]


def test_logprobs_with_top_logprobs_and_bytes(client, model, record):
    c = chat(client, model, logprobs=True, top_logprobs=3, max_tokens=8, extra_body={"ignore_eos": True})
    content = c.choices[0].logprobs.content
    assert "".join(x.token for x in content) == c.choices[0].message.content
    for x in content:
        assert x.logprob <= 0 and len(x.top_logprobs) == 3
        assert x.bytes == list(x.token.encode("utf-8")), "bytes are the UTF-8 of the text the token adds"
        for t in x.top_logprobs:
            assert t.bytes == list(t.token.encode("utf-8"))
        assert abs(x.logprob - x.top_logprobs[0].logprob) < 1e-3
    record("chat logprobs tokens", [x.token for x in content])


def test_penalties_and_logit_bias_on_chat(client, model, record):
    c = chat(client, model, presence_penalty=1.5, frequency_penalty=0.5, logit_bias={"1": -100},
             max_tokens=16, extra_body={"ignore_eos": True})
    assert c.usage.completion_tokens == 16
    record("chat penalties + logit_bias", c.choices[0].message.content)


def test_the_templated_prompt_is_what_tokenize_counts(client, http, model):
    c = chat(client, model, max_tokens=1)
    r = http.post("/tokenize", json={"model": model, "messages": MESSAGES})
    assert r.status_code == 200
    assert r.json()["count"] == c.usage.prompt_tokens
    assert PROMPT  # the template's rendering of MESSAGES
