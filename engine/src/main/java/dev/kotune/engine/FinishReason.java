package dev.kotune.engine;

import java.util.Locale;

/** Why a sequence stopped. {@link #id()} is the lower-case name used in JSON ({@code "eos"}, {@code "length"}, ...). */
public enum FinishReason {
    /** An EOS token was generated (it is the last output token). */
    EOS,
    /** max_new_tokens / max_length (or the model's context length) was reached. */
    LENGTH,
    /** The generated text contains one of the stop strings (the tokens that completed it are kept). */
    STOP_STRING,
    /** One of the request's stop token ids was generated (it is the last output token). */
    STOP_TOKEN,
    /** The caller cancelled (or its client went away) before another rule stopped it. */
    CANCELLED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
