package dev.kotune.inference.domain;

import java.util.List;

/**
 * A finished generation. Immutable, thread-safe.
 *
 * @param model        the model that answered
 * @param text         generated text (prompt and stop string excluded)
 * @param tokenIds     generated ids (EOS included when it stopped generation, as HF does)
 * @param finishReason why it stopped
 * @param usage        token counts and timings
 * @param logprobs     per-token log-probabilities when requested, else empty
 */
public record Completion(String model, String text, List<Integer> tokenIds, FinishReason finishReason, Usage usage,
        List<TokenLogprob> logprobs) {

    public Completion {
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
    }
}
