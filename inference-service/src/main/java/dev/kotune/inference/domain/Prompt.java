package dev.kotune.inference.domain;

import java.util.List;

/**
 * A prompt as text or as token ids (exactly one). Immutable, thread-safe.
 *
 * @param text non-blank text, e.g. "질문: 안녕하세요?\n답변:"; null when ids are given
 * @param ids  token ids in [0, vocab_size), e.g. [24454, 401]; empty when text is given
 */
public record Prompt(String text, List<Integer> ids) {

    public Prompt {
        ids = ids == null ? List.of() : List.copyOf(ids);
    }

    public static Prompt ofText(String text) {
        return new Prompt(text, List.of());
    }

    public static Prompt ofIds(List<Integer> ids) {
        return new Prompt(null, ids);
    }

    /** Whether the prompt is given as token ids. */
    public boolean isIds() {
        return text == null;
    }
}
