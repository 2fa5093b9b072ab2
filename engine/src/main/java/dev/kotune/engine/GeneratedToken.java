package dev.kotune.engine;

import java.util.List;

/**
 * One token as a stream sees it. Immutable, thread-safe.
 *
 * @param id        the token id
 * @param textDelta text that became final with it: UTF-8-safe, never a piece of a stop string that will be cut
 *                  ("" when held back, or without a detokenizer)
 * @param logprob   log p(id) under the processed distribution; NaN unless logprobs were requested
 * @param top       the most likely alternatives, best first (as many as requested; empty otherwise)
 */
public record GeneratedToken(int id, String textDelta, float logprob, List<TopLogprob> top) {

    public GeneratedToken {
        top = List.copyOf(top);
    }

    /** An alternative token and its log-probability. */
    public record TopLogprob(int id, float logprob) {}
}
