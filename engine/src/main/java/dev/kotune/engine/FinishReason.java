package dev.kotune.engine;

import java.util.Locale;

/** Why a sequence stopped. {@link #id()} is the lower-case name used in JSON ({@code "eos"}, {@code "length"}, ...). */
public enum FinishReason {
    /** An EOS token was generated (it is the last output token). */
    EOS,
    /** max_new_tokens / max_length (or the model's context length) was reached. */
    LENGTH,
    /** The generated text contains one of the stop strings (the tokens that completed it are kept). */
    STOP_STRING;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
