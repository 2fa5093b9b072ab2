package dev.kotune.trainer.domain;

import java.util.List;

/**
 * Decoding settings for the before/after answers (HF generate() semantics), defaults resolved. Immutable.
 *
 * @param maxNewTokens      new tokens, wins over maxLength; null = derived from maxLength
 * @param maxLength         total length with the prompt, e.g. 64
 * @param minNewTokens      EOS banned until this many new tokens, e.g. 0
 * @param doSample          sample instead of greedy, e.g. true
 * @param temperature       in (0, 100], e.g. 0.3
 * @param topK              in [0, vocab_size], 0 disables, e.g. 50
 * @param topP              in (0, 1], e.g. 0.9
 * @param repetitionPenalty in (0, 10], e.g. 1.2
 * @param noRepeatNgramSize in [0, 16], e.g. 2
 * @param stop              at most 8 stop strings of 1..256 chars
 * @param seed              sampler seed; null = random
 * @param logprobs          top-N log-probabilities in [0, 20]; null = none
 * @param stopAtEos         stop at the model's EOS token, e.g. true
 */
public record GenerationSettings(Integer maxNewTokens, int maxLength, int minNewTokens, boolean doSample,
        double temperature, int topK, double topP, double repetitionPenalty, int noRepeatNgramSize, List<String> stop,
        Long seed, Integer logprobs, boolean stopAtEos) {

    public GenerationSettings {
        stop = List.copyOf(stop);
    }

    /**
     * The notebook's decoding: do_sample, temperature 0.3, top_p 0.9, repetition_penalty 1.2,
     * no_repeat_ngram_size 2, max_length 64 (top_k stays HF's 50).
     */
    public static GenerationSettings notebook() {
        return new GenerationSettings(null, 64, 0, true, 0.3, 50, 0.9, 1.2, 2, List.of(), null, null, true);
    }
}
