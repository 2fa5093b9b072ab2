package dev.kotune.inference.domain;

import java.util.List;

/**
 * Decoding settings as a client sent them (proto {@code GenerationParameters} or the REST body), before validation:
 * null means "not given". Field names in the Javadoc are the canonical (proto) ones. Immutable, thread-safe.
 *
 * @param maxNewTokens      max_new_tokens, e.g. 32
 * @param maxLength         max_length, e.g. 64
 * @param minNewTokens      min_new_tokens, e.g. 0
 * @param doSample          do_sample, e.g. true
 * @param temperature       temperature, e.g. 0.3
 * @param topK              top_k, e.g. 50
 * @param topP              top_p, e.g. 0.9
 * @param repetitionPenalty repetition_penalty, e.g. 1.2
 * @param noRepeatNgramSize no_repeat_ngram_size, e.g. 2
 * @param stop              stop strings (empty when none)
 * @param seed              seed, e.g. 42
 * @param logprobs          logprobs, e.g. 5
 * @param stopAtEos         stop_at_eos, e.g. true
 */
public record RequestedParameters(Integer maxNewTokens, Integer maxLength, Integer minNewTokens, Boolean doSample,
        Double temperature, Integer topK, Double topP, Double repetitionPenalty, Integer noRepeatNgramSize,
        List<String> stop, Long seed, Integer logprobs, Boolean stopAtEos) {

    public RequestedParameters {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Nothing given: every setting takes its default. */
    public static RequestedParameters none() {
        return new RequestedParameters(null, null, null, null, null, null, null, null, null, List.of(), null, null,
                null);
    }
}
