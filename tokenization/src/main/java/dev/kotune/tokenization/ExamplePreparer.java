package dev.kotune.tokenization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The notebook's preprocessing, done the way transformers does it:
 *
 * <ol>
 *   <li>text = template with {@code {prompt}} and {@code {completion}} filled, plus the EOS token text
 *       ({@code </s>}) when asked; tokenized with no special tokens added (KoGPT2 has no post-processor anyway);
 *   <li>truncation keeps the first {@code max_length} ids (right side; a cut text loses its EOS, as in HF);
 *   <li>padding on the right with PAD ({@code <pad>} = 3) to {@code max_length}, to the longest row, or not at all;
 *   <li>attention mask 1 on real tokens, 0 on padding;
 *   <li>labels = ids with -100 on padding, and with completion-only also on the first {@code prompt_length}
 *       positions, where {@code prompt_length} is the token count of the prompt part of the template (the text up to
 *       {@code {completion}}), capped at the row's length.
 * </ol>
 *
 * <p>Thread-safe: holds only the (thread-safe) tokenizer and immutable limits.
 */
public final class ExamplePreparer {
    private final KoTokenizer tokenizer;
    private final TextLimits limits;

    public ExamplePreparer(KoTokenizer tokenizer, TextLimits limits) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Prepares a batch.
     *
     * @throws InvalidInputException naming the field for an empty or oversized batch, a blank prompt, an empty
     *     completion, a text over the size limit, max_length outside [1, model_max_length], or a tokenizer without
     *     the EOS/PAD token the options need
     */
    public PreparedBatch prepare(List<Example> examples, PrepareOptions options) {
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(options, "options");
        TokenizerInfo info = tokenizer.info();
        limits.requireBatch("examples", examples.size());
        if (options.maxLength() < 1 || options.maxLength() > info.modelMaxLength()) {
            throw new InvalidInputException(
                    "max_length",
                    "must be in [1, " + info.modelMaxLength() + "] (the model maximum), got " + options.maxLength());
        }
        String eos = "";
        if (options.appendEos()) {
            eos = info.token(SpecialTokenRole.EOS)
                    .map(SpecialToken::token)
                    .orElseThrow(() -> new InvalidInputException(
                            "append_eos", "the tokenizer has no EOS token; set append_eos=false"));
        }
        int padId = -1;
        if (options.padding() != Padding.NONE) {
            padId = info.token(SpecialTokenRole.PAD)
                    .map(SpecialToken::id)
                    .orElseThrow(() ->
                            new InvalidInputException("padding", "the tokenizer has no PAD token; use PADDING_NONE"));
        }

        int n = examples.size();
        List<String> texts = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Example e = examples.get(i);
            if (e == null) {
                throw new InvalidInputException("examples[" + i + "]", "must be present");
            }
            limits.requireText("examples[" + i + "].prompt", e.prompt());
            if (e.completion() == null || e.completion().isEmpty()) {
                throw new InvalidInputException("examples[" + i + "].completion", "must not be empty");
            }
            String text = options.template().render(e.prompt(), e.completion()) + eos;
            limits.requireSize("examples[" + i + "]", text);
            texts.add(text);
        }
        for (Example e : examples) {
            texts.add(options.template().renderPrompt(e.prompt()));
        }
        int[][] ids = tokenizer.encodeIds(texts, false); // rows 0..n-1: full texts; n..2n-1: prompt parts

        int longest = 0;
        for (int i = 0; i < n; i++) {
            longest = Math.max(longest, Math.min(ids[i].length, options.maxLength()));
        }
        int width = switch (options.padding()) {
            case MAX_LENGTH -> options.maxLength();
            case LONGEST -> longest;
            case NONE -> -1;
        };

        List<PreparedExample> rows = new ArrayList<>(n);
        int truncatedCount = 0;
        for (int i = 0; i < n; i++) {
            int[] full = ids[i];
            boolean truncated = full.length > options.maxLength();
            int length = Math.min(full.length, options.maxLength());
            int promptLength = Math.min(ids[n + i].length, length);
            int rowWidth = width < 0 ? length : width;

            int[] inputIds = Arrays.copyOf(full, rowWidth);
            int[] mask = new int[rowWidth];
            int[] labels = new int[rowWidth];
            for (int t = 0; t < rowWidth; t++) {
                boolean real = t < length;
                if (!real) {
                    inputIds[t] = padId;
                }
                mask[t] = real ? 1 : 0;
                boolean masked = !real || (options.completionOnly() && t < promptLength);
                labels[t] = masked ? PreparedExample.IGNORE_INDEX : inputIds[t];
            }
            if (truncated) {
                truncatedCount++;
            }
            rows.add(new PreparedExample(inputIds, mask, labels, truncated, length, promptLength, full.length));
        }
        return new PreparedBatch(rows, tokenizer.info().sha256(), truncatedCount);
    }
}
