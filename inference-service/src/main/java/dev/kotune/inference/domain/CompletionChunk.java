package dev.kotune.inference.domain;

import java.util.List;

/**
 * New output of one sequence since its previous chunk, for streaming. The text never splits a UTF-8 character and
 * never shows a piece of a stop string that the final text cuts, so it may be empty while ids are not. Immutable,
 * thread-safe.
 *
 * @param index     the sequence (choice) it belongs to, 0 unless n &gt; 1
 * @param textDelta new text, e.g. " 안녕"
 * @param tokenIds  ids generated since the previous chunk
 * @param logprobs  their log-probabilities when requested, else empty
 */
public record CompletionChunk(int index, String textDelta, List<Integer> tokenIds, List<TokenLogprob> logprobs) {

    public CompletionChunk {
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
    }
}
