package dev.kotune.tokenization;

import java.util.Objects;

/**
 * How {@link ExamplePreparer} turns examples into training rows.
 *
 * @param template text template, e.g. {@link PromptTemplate#NOTEBOOK}
 * @param appendEos append the EOS token text (KoGPT2 {@code </s>} = 1) to every text before tokenizing
 * @param maxLength keep at most this many tokens, e.g. 64; must be in [1, model_max_length]
 * @param padding padding mode, e.g. {@link Padding#MAX_LENGTH}
 * @param completionOnly also mask the prompt tokens in the labels (loss on the completion only)
 */
public record PrepareOptions(
        PromptTemplate template, boolean appendEos, int maxLength, Padding padding, boolean completionOnly) {

    /** The notebook's max_length. */
    public static final int DEFAULT_MAX_LENGTH = 64;

    /** Notebook template, EOS appended, max_length 64, padded to max_length, loss on all real tokens. */
    public static final PrepareOptions DEFAULTS =
            new PrepareOptions(PromptTemplate.NOTEBOOK, true, DEFAULT_MAX_LENGTH, Padding.MAX_LENGTH, false);

    public PrepareOptions {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(padding, "padding");
    }
}
