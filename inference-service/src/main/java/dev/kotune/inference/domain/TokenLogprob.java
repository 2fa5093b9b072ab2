package dev.kotune.inference.domain;

import java.util.List;

/**
 * Log-probabilities of one generated token. Immutable.
 *
 * @param id      the chosen token id, e.g. 8084
 * @param token   its text piece, e.g. "▁안녕"
 * @param logprob log p(token) after the logits processors, e.g. -0.12
 * @param top     the most likely alternatives, best first
 */
public record TokenLogprob(int id, String token, float logprob, List<Alternative> top) {

    public TokenLogprob {
        top = List.copyOf(top);
    }

    /**
     * One alternative token and its log-probability.
     *
     * @param id      token id
     * @param token   its text piece
     * @param logprob log p after the logits processors
     */
    public record Alternative(int id, String token, float logprob) {}
}
