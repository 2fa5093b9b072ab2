package dev.kotune.inference.engine;

import dev.kotune.engine.text.Detokenizer;
import dev.kotune.tokenization.KoTokenizer;
import java.util.Arrays;

/**
 * The engine's {@link Detokenizer} over a kotune tokenizer: decodes with special tokens skipped (EOS is not text),
 * and drops ids the tokenizer does not have, as Hugging Face {@code tokenizers}' decode does. That happens when a
 * model's embedding is larger than its tokenizer's vocabulary (e.g. a 51,200-row model trained with an 8,000-id
 * tokenizer): such ids carry no text. Thread-safe (the tokenizer is).
 */
final class TokenizerDetokenizer implements Detokenizer {

    private final KoTokenizer tokenizer;
    private final int vocabSize;

    TokenizerDetokenizer(KoTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.vocabSize = tokenizer.info().vocabSize();
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(known(ids), true);
    }

    /** The text piece of one token, special tokens included ("" for an id the tokenizer does not have). */
    String piece(int id) {
        return id >= 0 && id < vocabSize ? tokenizer.decode(new int[] {id}, false) : "";
    }

    /**
     * The text {@code id} adds after {@code previous}: decoded with one token of context, so the leading space of a
     * word-initial token survives (Metaspace and byte-level decoders drop it at the start of a text). Special tokens
     * included; {@link #piece} when the two decodes do not line up.
     */
    String pieceAfter(int previous, int id) {
        if (previous < 0 || previous >= vocabSize || id < 0 || id >= vocabSize) {
            return piece(id);
        }
        String before = tokenizer.decode(new int[] {previous}, false);
        String both = tokenizer.decode(new int[] {previous, id}, false);
        return both.startsWith(before) ? both.substring(before.length()) : piece(id);
    }

    private int[] known(int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                return Arrays.stream(ids).filter(i -> i >= 0 && i < vocabSize).toArray();
            }
        }
        return ids;
    }
}
