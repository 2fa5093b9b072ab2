package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code POST /v1/completions}: OpenAI's completions fields plus Hugging Face generate() extensions. Null =
 * not given. Unknown fields are ignored (Quarkus' Jackson default), as OpenAI clients send many. Immutable.
 *
 * @param model              model id; null/empty = the default model
 * @param prompt             a string, or an array of token ids
 * @param maxTokens          OpenAI max_tokens = max_new_tokens: &gt;= 1
 * @param maxLength          HF max_length (prompt included)
 * @param minTokens          min_new_tokens: [0, max_tokens]
 * @param temperature        (0, 100]; 0 means greedy (OpenAI's convention) and turns sampling off
 * @param topP               (0, 1]
 * @param topK               [0, vocab_size]
 * @param repetitionPenalty  (0, 10]
 * @param noRepeatNgramSize  [0, 16]
 * @param doSample           sample instead of greedy; default true when temperature &gt; 0, top_p or top_k is given
 * @param stop               a string or an array of at most 8 strings of 1..256 chars
 * @param seed               sampler seed
 * @param logprobs           top-N alternatives per token: [0, 20]
 * @param stopAtEos          stop at EOS (default true)
 * @param n                  completions per prompt: only 1
 * @param echo               echo the prompt: only false
 * @param stream             answer with server-sent events
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompletionRequest(String model, JsonNode prompt, Integer maxTokens, Integer maxLength,
        Integer minTokens, Double temperature, Double topP, Integer topK, Double repetitionPenalty,
        Integer noRepeatNgramSize, Boolean doSample, JsonNode stop, Long seed, Integer logprobs, Boolean stopAtEos,
        Integer n, Boolean echo, Boolean stream) {
}
