package dev.kotune.tokenization;

/**
 * An input breaks a rule: carries the offending field (as the API names it, e.g. {@code "texts[3]"} or
 * {@code "max_length"}) and the rule it breaks, in words. The message is {@code "<field>: <rule>"}.
 *
 * <p>Immutable, thread-safe.
 */
public final class InvalidInputException extends TokenizationException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String rule;

    public InvalidInputException(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
        this.rule = rule;
    }

    /** The field that breaks the rule, e.g. {@code "examples[2].prompt"}. */
    public String field() {
        return field;
    }

    /** The rule, e.g. {@code "must be in [1, 1024], got 0"}. */
    public String rule() {
        return rule;
    }
}
