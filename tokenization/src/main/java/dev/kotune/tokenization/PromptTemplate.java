package dev.kotune.tokenization;

import java.util.Objects;

/**
 * A text template with one {@code {prompt}} and, after it, one {@code {completion}} placeholder, e.g. the notebook's
 * {@code "질문: {prompt}\n답변:{completion}"}. Placeholders are replaced literally (no Python format escapes), so
 * braces in the data are kept as they are. The prompt part is everything up to {@code {completion}}.
 *
 * <p>Immutable, thread-safe.
 *
 * @param text the template text
 */
public record PromptTemplate(String text) {
    /** The notebook's template. */
    public static final PromptTemplate NOTEBOOK = new PromptTemplate("질문: {prompt}\n답변:{completion}");

    private static final String PROMPT = "{prompt}";
    private static final String COMPLETION = "{completion}";

    /** @throws InvalidInputException ({@code template}) when the placeholders are missing, repeated or out of order */
    public PromptTemplate {
        Objects.requireNonNull(text, "text");
        int p = text.indexOf(PROMPT);
        if (p < 0 || text.indexOf(PROMPT, p + 1) >= 0) {
            throw new InvalidInputException("template", "must contain {prompt} exactly once, got '" + text + "'");
        }
        int c = text.indexOf(COMPLETION);
        if (c < 0 || text.indexOf(COMPLETION, c + 1) >= 0 || c < p + PROMPT.length()) {
            throw new InvalidInputException(
                    "template", "must contain {completion} exactly once, after {prompt}, got '" + text + "'");
        }
    }

    /** The full text: template with both placeholders filled. */
    public String render(String prompt, String completion) {
        int c = text.indexOf(COMPLETION);
        return renderPrompt(prompt) + completion + text.substring(c + COMPLETION.length());
    }

    /** The prompt part: template up to {@code {completion}}, with {@code {prompt}} filled. */
    public String renderPrompt(String prompt) {
        int p = text.indexOf(PROMPT);
        int c = text.indexOf(COMPLETION);
        return text.substring(0, p) + prompt + text.substring(p + PROMPT.length(), c);
    }
}
