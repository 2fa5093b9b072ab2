package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Body of {@code POST /v1/chat/completions}: OpenAI's chat fields plus the same vLLM / HF generate() extensions as
 * {@code /v1/completions} ({@link SamplingFields}). Null = not given; unknown fields are ignored. Ranges and defaults
 * are the engine's generation contract. Immutable.
 *
 * @param model                  model id; null/empty = the default model
 * @param messages               the conversation, rendered with the model's chat template
 * @param maxTokens              OpenAI's older max_tokens = max_new_tokens
 * @param maxCompletionTokens    OpenAI's max_completion_tokens (wins over max_tokens)
 * @param maxLength              HF max_length (prompt included)
 * @param minTokens              vLLM min_tokens
 * @param temperature            0 = greedy
 * @param topP                   nucleus mass
 * @param topK                   top-k
 * @param repetitionPenalty      HF repetition penalty
 * @param noRepeatNgramSize      HF no_repeat_ngram_size
 * @param doSample               sample instead of greedy; unset: the contract's rule
 * @param stop                   a string or an array of strings
 * @param stopTokenIds           vLLM stop_token_ids
 * @param includeStopStrInOutput vLLM include_stop_str_in_output
 * @param seed                   sampler seed
 * @param logprobs               return each token's log-probability
 * @param topLogprobs            with logprobs: the N most likely alternatives per token
 * @param ignoreEos              vLLM ignore_eos
 * @param n                      choices
 * @param stream                 answer with server-sent events
 * @param streamOptions          {@code include_usage}: a last chunk with usage and no choices
 * @param frequencyPenalty       OpenAI's frequency_penalty
 * @param presencePenalty        OpenAI's presence_penalty
 * @param logitBias              OpenAI's logit_bias: token id (as a string) → bias
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        Integer maxTokens,
        Integer maxCompletionTokens,
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
        Boolean logprobs,
        Integer topLogprobs,
        Boolean ignoreEos,
        Integer n,
        Boolean stream,
        StreamOptions streamOptions,
        Double frequencyPenalty,
        Double presencePenalty,
        java.util.Map<String, Double> logitBias)
        implements SamplingFields {

    /**
     * One message.
     *
     * @param role    "system", "user" or "assistant" (the template decides which it accepts)
     * @param content a string, or OpenAI's array of {@code {"type": "text", "text": ...}} parts
     */
    public record Message(String role, JsonNode content) {}

    /** @param includeUsage send a last chunk with usage (and no choices) before [DONE] */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StreamOptions(Boolean includeUsage) {}
}
