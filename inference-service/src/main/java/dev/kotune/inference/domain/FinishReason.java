package dev.kotune.inference.domain;

/** Why generation stopped. */
public enum FinishReason {
    /** max_new_tokens / max_length reached. */
    LENGTH,
    /** The model produced its EOS token. */
    EOS,
    /** A stop string matched. */
    STOP,
    /** The client cancelled. */
    CANCELLED
}
