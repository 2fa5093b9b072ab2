package dev.kotune.inference.domain;

import dev.kotune.engine.FinishReason;
import java.util.List;

/**
 * A finished generation: one choice per sequence ({@code n} of them, OpenAI's field). Immutable, thread-safe.
 *
 * @param model   the model that answered
 * @param choices in index order, at least one
 * @param usage   token counts (completion tokens of every choice) and timings
 * @param promptLogprobs every prompt token with its log-probability when prompt logprobs were requested (the first
 *                token's is NaN with no alternatives: nothing predicts it), else empty
 */
public record Completion(String model, List<Choice> choices, Usage usage, List<TokenLogprob> promptLogprobs) {

    public Completion {
        choices = List.copyOf(choices);
        promptLogprobs = List.copyOf(promptLogprobs);
    }

    public Completion(String model, List<Choice> choices, Usage usage) {
        this(model, choices, usage, List.of());
    }

    /**
     * One sequence.
     *
     * @param index        0 ≤ index &lt; n
     * @param text         generated text (prompt excluded; a stop string excluded unless asked for)
     * @param tokenIds     generated ids (EOS or a stop token id included when it stopped generation, as HF does)
     * @param finishReason why it stopped
     * @param logprobs     per-token log-probabilities when requested, else empty
     */
    public record Choice(
            int index, String text, List<Integer> tokenIds, FinishReason finishReason, List<TokenLogprob> logprobs) {

        public Choice {
            tokenIds = List.copyOf(tokenIds);
            logprobs = List.copyOf(logprobs);
        }
    }

    /** The first choice (the only one unless n &gt; 1). */
    public Choice first() {
        return choices.get(0);
    }

    /** Whether every choice was cancelled (the client went away). */
    public boolean cancelled() {
        return choices.stream().allMatch(c -> c.finishReason() == FinishReason.CANCELLED);
    }

    /** Tokens generated over all choices. */
    public int generatedTokens() {
        return choices.stream().mapToInt(c -> c.tokenIds().size()).sum();
    }
}
