package dev.kotune.tokenization.chat;

import java.util.Objects;

/**
 * One message of a conversation, as a chat template sees it: {@code {"role": ..., "content": ...}} (the OpenAI and
 * Hugging Face message shape, text content only).
 *
 * <p>Immutable, thread-safe.
 *
 * @param role who speaks, e.g. {@code "user"}, {@code "assistant"}, {@code "system"}; the template decides which
 *     roles it accepts
 * @param content the text, e.g. {@code "배고파"}; passed to the template as it is (no trimming)
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /** A {@code system} message. */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** A {@code user} message. */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** An {@code assistant} message. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
