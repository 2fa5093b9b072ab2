package dev.kotune.tokenization;

/**
 * The named tokenizer does not exist: no such file or directory, a directory without {@code tokenizer.json},
 * or a hub repository, revision or file the hub says it does not have.
 *
 * <p>Immutable, thread-safe.
 */
public final class TokenizerNotFoundException extends TokenizationException {
    private static final long serialVersionUID = 1L;
    private final String name;

    public TokenizerNotFoundException(String name, String reason) {
        super("tokenizer " + quote(name) + " not found: " + reason);
        this.name = name;
    }

    /** The name as the caller gave it (a path or a hub id). */
    public String name() {
        return name;
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }
}
