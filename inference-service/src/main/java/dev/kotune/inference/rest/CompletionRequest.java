package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Body of {@code POST /v1/completions}: OpenAI's completions fields plus vLLM's and Hugging Face generate()'s
 * extensions. Null = not given. Unknown fields are ignored (Quarkus' Jackson default), as OpenAI clients send many.
 * Ranges and defaults are the engine's generation contract ({@code SamplingParams}), not repeated here. Immutable.
 *
 * @param model                  model id; null/empty = the default model
 * @param prompt                 a string, or an array of token ids
 * @param maxTokens              OpenAI max_tokens = max_new_tokens
 * @param maxLength              HF max_length (prompt included)
 * @param minTokens              vLLM min_tokens = min_new_tokens
 * @param temperature            0 = greedy (OpenAI's convention)
 * @param topP                   nucleus mass
 * @param topK                   top-k
 * @param repetitionPenalty      HF repetition penalty
 * @param noRepeatNgramSize      HF no_repeat_ngram_size
 * @param doSample               sample instead of greedy; unset: the contract's rule
 * @param stop                   a string or an array of strings
 * @param stopTokenIds           vLLM stop_token_ids
 * @param includeStopStrInOutput vLLM include_stop_str_in_output
 * @param seed                   sampler seed
 * @param logprobs               top-N alternatives per token
 * @param ignoreEos              vLLM ignore_eos
 * @param stopAtEos              kotune's older spelling of !ignore_eos
 * @param n                      completions per prompt (choices, each its own row in the batch)
 * @param echo                   start each choice's text (and with logprobs, its logprobs) with the prompt
 * @param stream                 answer with server-sent events
 * @param frequencyPenalty       OpenAI's frequency_penalty
 * @param presencePenalty        OpenAI's presence_penalty
 * @param logitBias              OpenAI's logit_bias: token id (as a string) → bias
 * @param bestOf                 OpenAI's best_of: only 1 (not supported otherwise: refused by name)
 * @param suffix                 OpenAI's suffix: not supported (refused by name)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompletionRequest(
        String model,
        JsonNode prompt,
        Integer maxTokens,
        Integer maxLength,
        Integer minTokens,
        Double temperature,
        Double topP,
        Integer topK,
        Double repetitionPenalty,
        Integer noRepeatNgramSize,
        Boolean doSample,
        JsonNode stop,
        List<Integer> stopTokenIds,
        Boolean includeStopStrInOutput,
        Long seed,
        Integer logprobs,
        Boolean ignoreEos,
        Boolean stopAtEos,
        Integer n,
        Boolean echo,
        Boolean stream,
        Double frequencyPenalty,
        Double presencePenalty,
        java.util.Map<String, Double> logitBias,
        Integer bestOf,
        String suffix)
        implements SamplingFields {}
