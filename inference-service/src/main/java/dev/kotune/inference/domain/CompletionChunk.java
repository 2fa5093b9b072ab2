package dev.kotune.inference.domain;

import java.util.List;

/**
 * New output since the previous chunk, for streaming. The text never splits a UTF-8 character (the engine's
 * TokenizerStream holds back incomplete pieces), so it may be empty while ids are not. Immutable, thread-safe.
 *
 * @param textDelta new text, e.g. " 안녕"
 * @param tokenIds  ids generated since the previous chunk
 * @param logprobs  their log-probabilities when requested, else empty
 */
public record CompletionChunk(String textDelta, List<Integer> tokenIds, List<TokenLogprob> logprobs) {

    public CompletionChunk {
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
    }
}
