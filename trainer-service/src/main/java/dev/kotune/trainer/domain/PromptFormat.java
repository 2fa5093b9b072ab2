package dev.kotune.trainer.domain;

/**
 * How examples become token sequences (tokenizer PrepareExamples semantics), defaults resolved. Immutable.
 *
 * @param template        contains {prompt} (and usually {completion}), e.g. "질문: {prompt}\n답변:{completion}"
 * @param appendEos       append EOS to each text, e.g. true
 * @param maxLength       tokens per example in [8, n_positions], e.g. 64
 * @param completionOnly  loss on the completion only, e.g. false
 */
public record PromptFormat(String template, boolean appendEos, int maxLength, boolean completionOnly) {

    /** The notebook's template. */
    public static final String DEFAULT_TEMPLATE = "질문: {prompt}\n답변:{completion}";
}
