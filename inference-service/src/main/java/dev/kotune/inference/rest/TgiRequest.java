package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Body of text-generation-inference's {@code POST /generate} and {@code /generate_stream}: {@code inputs} and TGI's
 * {@code parameters}. Null = not given; unknown fields are ignored. Ranges and defaults are the engine's generation
 * contract. Immutable.
 *
 * @param inputs     the prompt text
 * @param parameters TGI's generation parameters
 * @param stream     ignored by the routes (each route decides), accepted because clients send it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TgiRequest(String inputs, Parameters parameters, Boolean stream) {

    /**
     * TGI's parameters; those kotune cannot honour are refused by name when set.
     *
     * @param maxNewTokens         new tokens
     * @param doSample             sample instead of greedy
     * @param temperature          softmax temperature
     * @param topK                 top-k
     * @param topP                 nucleus mass
     * @param repetitionPenalty    HF repetition penalty
     * @param frequencyPenalty     OpenAI's frequency penalty
     * @param seed                 sampler seed
     * @param stop                 stop sequences (cut from the text)
     * @param details              return finish reason, token count, seed and per-token details
     * @param topNTokens           the most likely alternatives per token (with details)
     * @param returnFullText       prepend the prompt to generated_text
     * @param bestOf               only 1
     * @param typicalP             not supported
     * @param watermark            not supported
     * @param truncate             not supported
     * @param decoderInputDetails  not supported
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Parameters(
            Integer maxNewTokens,
            Boolean doSample,
            Double temperature,
            Integer topK,
            Double topP,
            Double repetitionPenalty,
            Double frequencyPenalty,
            Long seed,
            List<String> stop,
            Boolean details,

            @com.fasterxml.jackson.annotation.JsonProperty("top_n_tokens")
            Integer topNTokens,

            Boolean returnFullText,
            Integer bestOf,
            Double typicalP,
            Boolean watermark,
            Integer truncate,
            Boolean decoderInputDetails) {}
}
