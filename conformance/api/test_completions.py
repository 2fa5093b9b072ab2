"""POST /v1/completions through the official openai client: every field of the README's API section."""
import openai
import pytest

from common import PROMPT, greedy, token_ids


def test_unary_shape_and_usage(client, model, record):
    c = greedy(client, model)
    assert c.object == "text_completion" and len(c.choices) == 1
    ch = c.choices[0]
    assert ch.index == 0 and isinstance(ch.text, str) and ch.finish_reason in ("stop", "length")
    assert c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens
    record("completion greedy", ch.text)


def test_stream_adds_up_to_the_unary_text(client, model, record):
    unary = greedy(client, model).choices[0].text
    parts, finish = [], None
    for chunk in client.completions.create(model=model, prompt=PROMPT, max_tokens=12, temperature=0, stream=True):
        for ch in chunk.choices:
            parts.append(ch.text)
            finish = ch.finish_reason or finish
    assert "".join(parts) == unary
    assert finish in ("stop", "length")
    record("completion stream", "".join(parts))


def test_max_tokens_with_ignore_eos_gives_exactly_that_many(client, model, record):
    c = greedy(client, model, max_tokens=7, extra_body={"ignore_eos": True})
    assert c.usage.completion_tokens == 7 and c.choices[0].finish_reason == "length"
    record("completion max_tokens 7", c.choices[0].text)


def test_prompt_as_token_ids_answers_as_the_text(client, http, model):
    ids = token_ids(http, model, PROMPT)
    assert greedy(client, model, prompt=ids).choices[0].text == greedy(client, model).choices[0].text


def test_stop_string_cuts_the_text_before_it(client, model, record):
    text = greedy(client, model, max_tokens=16, extra_body={"ignore_eos": True}).choices[0].text
    stop = text.strip()[len(text.strip()) // 2:][:2]
    if not stop.strip():
        pytest.skip(f"no usable stop string in the greedy text {text!r}")
    c = greedy(client, model, max_tokens=16, stop=[stop], extra_body={"ignore_eos": True})
    assert c.choices[0].finish_reason == "stop"
    assert c.choices[0].text == text[: text.index(stop)]
    record("completion stop", c.choices[0].text)


def test_n_choices_are_indexed_and_a_seed_reproduces_sampling(client, model):
    kw = dict(model=model, prompt=PROMPT, max_tokens=8, temperature=1.0, top_p=0.9, seed=1234)
    a = client.completions.create(n=3, **kw)
    b = client.completions.create(n=3, **kw)
    assert sorted(x.index for x in a.choices) == [0, 1, 2]
    assert [x.text for x in sorted(a.choices, key=lambda x: x.index)] == [
        x.text for x in sorted(b.choices, key=lambda x: x.index)]
    assert a.usage.completion_tokens == 3 * 8 or all(x.finish_reason in ("stop", "length") for x in a.choices)


def test_logprobs_top_n_with_tokens_that_add_up_to_the_text(client, model, record):
    c = greedy(client, model, logprobs=3, max_tokens=8, extra_body={"ignore_eos": True})
    lp = c.choices[0].logprobs
    assert "".join(lp.tokens) == c.choices[0].text
    assert len(lp.token_logprobs) == len(lp.tokens) == 8
    for chosen, value, top in zip(lp.tokens, lp.token_logprobs, lp.top_logprobs):
        assert value <= 0 and 1 <= len(top) <= 3
        best = max(top.values())
        assert abs(value - best) < 1e-3, "greedy picks the likeliest token"
    record("completion logprobs tokens", lp.tokens)
    record("completion logprobs values", [round(v, 2) for v in lp.token_logprobs])


def test_echo_starts_the_text_with_the_prompt(client, model, record):
    plain = greedy(client, model, max_tokens=6).choices[0].text
    c = greedy(client, model, max_tokens=6, echo=True)
    assert c.choices[0].text == PROMPT + plain
    record("completion echo", c.choices[0].text)


def test_echo_with_logprobs_scores_the_prompt_first(client, model, record):
    c = greedy(client, model, max_tokens=4, echo=True, logprobs=2, extra_body={"ignore_eos": True})
    lp = c.choices[0].logprobs
    assert len(lp.tokens) == c.usage.prompt_tokens + 4
    assert lp.token_logprobs[0] is None and lp.top_logprobs[0] is None
    assert all(v is not None and v <= 0 for v in lp.token_logprobs[1:])
    assert "".join(lp.tokens) == c.choices[0].text
    record("completion echo logprobs values", [round(v, 2) for v in lp.token_logprobs[1:]])


def test_echo_with_max_tokens_zero_returns_the_prompt_scored(client, model):
    c = client.completions.create(model=model, prompt=PROMPT, max_tokens=0, echo=True, logprobs=1)
    assert c.choices[0].text == PROMPT
    assert c.usage.completion_tokens == 0
    assert len(c.choices[0].logprobs.tokens) == c.usage.prompt_tokens


def test_presence_and_frequency_penalties_change_a_repetitive_greedy_text(client, model, record):
    base = greedy(client, model, max_tokens=16, logprobs=1, extra_body={"ignore_eos": True}).choices[0]
    penalized = {}
    for field in ("presence_penalty", "frequency_penalty"):
        c = greedy(client, model, max_tokens=16, extra_body={"ignore_eos": True}, **{field: 2.0})
        penalized[field] = c.choices[0].text
        record(f"completion {field} 2.0", c.choices[0].text)
    neg = greedy(client, model, max_tokens=16, frequency_penalty=-2.0, presence_penalty=0.5,
                 extra_body={"ignore_eos": True}).choices[0].text
    record("completion frequency_penalty -2.0 presence_penalty 0.5", neg)
    shown = [t for t in base.logprobs.tokens if t.strip()]
    if len(shown) == len(set(shown)):
        pytest.skip(f"the unpenalized greedy text repeats no token, so a penalty need not change it: {base.text!r}")
    for field, text in penalized.items():
        assert text != base.text, f"{field} 2.0 changed nothing"


def test_logit_bias_bans_and_forces_tokens(client, http, model, record):
    first = greedy(client, model, max_tokens=1).choices[0].text
    prompt_ids = token_ids(http, model, PROMPT)
    both = token_ids(http, model, PROMPT + first)
    if both[: len(prompt_ids)] != prompt_ids or len(both) != len(prompt_ids) + 1:
        pytest.skip(f"the first greedy token {first!r} does not tokenize back to one id after the prompt")
    first_id = both[-1]
    banned = greedy(client, model, max_tokens=1, logit_bias={str(first_id): -100})
    assert banned.choices[0].text != first
    forced_id = token_ids(http, model, "안녕")[-1]
    forced = greedy(client, model, max_tokens=3, logit_bias={str(forced_id): 100}, extra_body={"ignore_eos": True})
    assert forced.usage.completion_tokens == 3
    assert forced.choices[0].text.count("안녕") == 3, forced.choices[0].text
    record("completion logit_bias -100", banned.choices[0].text)
    record("completion logit_bias +100", forced.choices[0].text)


def test_best_of_and_suffix_are_refused_or_honoured_by_name(client, model):
    for kw, field in (({"best_of": 2}, "best_of"), ({"suffix": " 끝"}, "suffix")):
        with pytest.raises(openai.BadRequestError) as e:
            client.completions.create(model=model, prompt=PROMPT, max_tokens=4, **kw)
        assert field in str(e.value)
