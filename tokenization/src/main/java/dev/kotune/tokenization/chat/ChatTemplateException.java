package dev.kotune.tokenization.chat;

import dev.kotune.tokenization.TokenizationException;
import java.util.Objects;

/**
 * A conversation cannot be rendered with a model's chat template: the model has none, the template is not valid
 * Jinja, the template itself rejected the conversation ({@code raise_exception(...)}, e.g. an unsupported role), or
 * rendering failed. The message says which and why, in words a client can act on; a service answers all four with
 * 400 (the request asked for something this model cannot do).
 *
 * <p>Immutable, thread-safe.
 */
public final class ChatTemplateException extends TokenizationException {
    private static final long serialVersionUID = 1L;

    /** Why rendering failed. */
    public enum Reason {
        /** The model has no chat template ({@code chat_template} absent from its tokenizer files). */
        MISSING,
        /** The template does not parse as Jinja, or uses something the renderer does not have. */
        SYNTAX,
        /** The template called {@code raise_exception(message)}: it refuses this conversation. */
        RAISED,
        /** Rendering failed otherwise (an error while evaluating an expression, output too large, ...). */
        RENDER
    }

    private final Reason reason;
    private final String detail;

    public ChatTemplateException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public ChatTemplateException(Reason reason, String detail, Throwable cause) {
        super(message(Objects.requireNonNull(reason, "reason"), detail), cause);
        this.reason = reason;
        this.detail = detail;
    }

    /** Why it failed. */
    public Reason reason() {
        return reason;
    }

    /**
     * The detail without the prefix: for {@link Reason#RAISED} exactly the template's own message (what transformers'
     * {@code jinja2.TemplateError} carries), e.g. {@code "Conversation roles must alternate user/assistant/..."}.
     */
    public String detail() {
        return detail;
    }

    private static String message(Reason reason, String detail) {
        return switch (reason) {
            case MISSING -> "chat template: " + detail;
            case SYNTAX -> "chat template is invalid: " + detail;
            case RAISED -> "chat template rejected the conversation: " + detail;
            case RENDER -> "chat template failed to render: " + detail;
        };
    }
}
