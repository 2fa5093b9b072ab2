package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The sampling fields {@code /v1/completions} and {@code /v1/chat/completions} share (OpenAI's, vLLM's and HF
 * generate()'s names); each body record implements it, and {@link RestMapping#parameters} puts them on the engine's
 * generation contract. Null = not given.
 */
interface SamplingFields {
    Integer maxLength();

    Integer minTokens();

    Double temperature();

    Double topP();

    Integer topK();

    Double repetitionPenalty();

    Integer noRepeatNgramSize();

    Boolean doSample();

    JsonNode stop();

    List<Integer> stopTokenIds();

    Boolean includeStopStrInOutput();

    Long seed();

    Boolean ignoreEos();

    Integer n();

    Double frequencyPenalty();

    Double presencePenalty();

    /** OpenAI's shape: token ids as strings → bias. */
    java.util.Map<String, Double> logitBias();
}
