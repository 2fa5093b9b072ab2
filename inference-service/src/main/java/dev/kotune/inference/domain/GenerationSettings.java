package dev.kotune.inference.domain;

import java.util.List;

/**
 * Validated decoding settings with HF generate()'s defaults filled in, except what depends on the prompt's length
 * ({@code maxNewTokens} null = {@code maxLength - prompt_length}). Immutable, thread-safe.
 *
 * @param maxNewTokens      new tokens, wins over maxLength; null = derived from maxLength, e.g. 32
 * @param maxLength         total length with the prompt, e.g. 64; null = not given: {@link #DEFAULT_MAX_LENGTH}
 * @param minNewTokens      EOS banned until this many new tokens, e.g. 0
 * @param doSample          sample instead of greedy argmax, e.g. false
 * @param temperature       in (0, 100], e.g. 1.0
 * @param topK              in [0, vocab_size], 0 disables, e.g. 50
 * @param topP              in (0, 1], e.g. 1.0
 * @param repetitionPenalty in (0, 10], 1.0 disables, e.g. 1.0
 * @param noRepeatNgramSize in [0, 16], 0 disables, e.g. 0
 * @param stop              at most 8 stop strings of 1..256 chars
 * @param seed              sampler seed; null = random
 * @param logprobs          top-N alternatives to report in [0, 20]; null = no log-probabilities
 * @param stopAtEos         stop at the model's EOS token, e.g. true
 */
public record GenerationSettings(Integer maxNewTokens, Integer maxLength, int minNewTokens, boolean doSample,
        double temperature, int topK, double topP, double repetitionPenalty, int noRepeatNgramSize, List<String> stop,
        Long seed, Integer logprobs, boolean stopAtEos) {

    /** max_length when neither max_length nor max_new_tokens is given (the notebook's). */
    public static final int DEFAULT_MAX_LENGTH = 64;

    public GenerationSettings {
        stop = List.copyOf(stop);
    }

    /** max_length as given, else {@link #DEFAULT_MAX_LENGTH}. */
    public int effectiveMaxLength() {
        return maxLength != null ? maxLength : DEFAULT_MAX_LENGTH;
    }
}
