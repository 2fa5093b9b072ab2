package dev.kotune.engine;

/**
 * One sequence's output. Immutable (arrays are copies), thread-safe.
 *
 * @param promptIds    the prompt without padding, e.g. [24454, 401, ...]
 * @param tokenIds     generated tokens, the EOS included when it stopped the sequence
 * @param text         the generated continuation as streamed: {@code decode(prompt) + text == decode(prompt + tokens)}
 *                     (so it keeps the space a Metaspace/byte-level tokenizer puts before the first new word);
 *                     null without a detokenizer
 * @param finishReason why it stopped
 * @param logprobs     per generated token, log p under the processed distribution; null unless requested
 */
public record GenerationResult(
        int[] promptIds, int[] tokenIds, String text, FinishReason finishReason, float[] logprobs) {

    public GenerationResult {
        promptIds = promptIds.clone();
        tokenIds = tokenIds.clone();
        logprobs = logprobs == null ? null : logprobs.clone();
    }

    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public float[] logprobs() {
        return logprobs == null ? null : logprobs.clone();
    }

    /** Prompt + generated ids. */
    public int[] allIds() {
        int[] all = java.util.Arrays.copyOf(promptIds, promptIds.length + tokenIds.length);
        System.arraycopy(tokenIds, 0, all, promptIds.length, tokenIds.length);
        return all;
    }
}
