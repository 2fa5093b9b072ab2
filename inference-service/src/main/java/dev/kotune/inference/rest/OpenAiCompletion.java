package dev.kotune.inference.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.kotune.inference.domain.TokenLogprob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/completions} body (and, with {@code object = "text_completion"} chunks, each SSE event), OpenAI's
 * shape. Immutable.
 *
 * @param id      "cmpl-…", the same on every chunk of a stream
 * @param object  "text_completion"
 * @param created Unix seconds
 * @param model   the model that answered
 * @param choices exactly one
 * @param usage   token counts; null on stream chunks but the last
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record OpenAiCompletion(
        String id, String object, long created, String model, List<Choice> choices, Usage usage) {

    /**
     * @param text         generated text (or a stream's delta)
     * @param index        0
     * @param logprobs     per-token log-probabilities when requested, else null
     * @param finishReason "length" or "stop"; null on stream chunks but the last
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(String text, int index, Logprobs logprobs, String finishReason) {}

    /** OpenAI's legacy completions logprobs; alternatives are keyed by the text each adds, as OpenAI and vLLM key them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Logprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs) {

        /** Null when nothing was requested. */
        static Logprobs of(List<TokenLogprob> logprobs) {
            return of(List.of(), logprobs);
        }

        /**
         * The echoed prompt's tokens first, then the generated ones; null when neither was requested. A token with no
         * score (the prompt's first: NaN) has null token_logprobs and top_logprobs entries, as OpenAI and vLLM write.
         */
        static Logprobs of(List<TokenLogprob> prompt, List<TokenLogprob> generated) {
            if (prompt.isEmpty() && generated.isEmpty()) {
                return null;
            }
            List<TokenLogprob> all = new java.util.ArrayList<>(prompt);
            all.addAll(generated);
            List<String> tokens = new java.util.ArrayList<>();
            List<Float> values = new java.util.ArrayList<>();
            List<Map<String, Float>> tops = new java.util.ArrayList<>();
            for (TokenLogprob l : all) {
                tokens.add(l.token());
                boolean scored = !Float.isNaN(l.logprob());
                values.add(scored ? l.logprob() : null);
                Map<String, Float> top = null;
                if (scored) {
                    top = new LinkedHashMap<>();
                    for (TokenLogprob.Alternative t : l.top()) {
                        top.putIfAbsent(t.token(), t.logprob()); // the likelier one when two texts collide
                    }
                }
                tops.add(top);
            }
            return new Logprobs(tokens, values, tops);
        }
    }

    /**
     * @param promptTokens     prompt tokens
     * @param completionTokens generated tokens
     * @param totalTokens      their sum
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Usage(int promptTokens, int completionTokens, int totalTokens) {

        static Usage of(dev.kotune.inference.domain.Completion c) {
            return new Usage(
                    c.usage().promptTokens(),
                    c.usage().completionTokens(),
                    c.usage().promptTokens() + c.usage().completionTokens());
        }
    }
}
