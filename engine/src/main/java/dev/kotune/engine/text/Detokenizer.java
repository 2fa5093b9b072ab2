package dev.kotune.engine.text;

/**
 * Token ids → text, the only thing the engine needs from a tokenizer (cli/ and the services adapt
 * kotune-tokenization's decode to it). Implementations must be safe to call from the generating thread.
 */
@FunctionalInterface
public interface Detokenizer {

    /** Decodes {@code ids} (special tokens handled as the implementation chooses, e.g. skipped). */
    String decode(int[] ids);
}
