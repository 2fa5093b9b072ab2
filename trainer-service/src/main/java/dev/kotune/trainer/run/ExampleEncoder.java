package dev.kotune.trainer.run;

import dev.kotune.gpt2.TrainingExample;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.ExamplePreparer;
import dev.kotune.tokenization.Padding;
import dev.kotune.tokenization.PrepareOptions;
import dev.kotune.tokenization.PreparedBatch;
import dev.kotune.tokenization.PreparedExample;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenizationException;
import dev.kotune.trainer.domain.PromptFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The notebook's preprocessing through tokenization's {@link ExamplePreparer}: template, EOS appended, truncation to
 * {@code max_length}, right padding to {@code max_length} with PAD, labels -100 on padding (and on the prompt when
 * completion-only). Large datasets go through in chunks of the preparer's batch limit. Stateless, thread-safe.
 */
public final class ExampleEncoder {

    private ExampleEncoder() {}

    /** Encoded rows plus how many were cut to {@code max_length}. */
    public record Encoded(List<TrainingExample> rows, int truncated) {
        public Encoded {
            rows = List.copyOf(rows);
        }
    }

    /** The preparer's options for a job's format (padding max_length, as the notebook). */
    public static PrepareOptions options(PromptFormat format) {
        return new PrepareOptions(
                new PromptTemplate(format.template()),
                format.appendEos(),
                format.maxLength(),
                Padding.MAX_LENGTH,
                format.completionOnly());
    }

    /**
     * @throws JobFailure TOKENIZER when an example cannot be encoded (the message names the example)
     */
    public static Encoded encode(ResolvedTokenizer tokenizer, List<Example> examples, PromptFormat format)
            throws JobFailure {
        ExamplePreparer preparer = new ExamplePreparer(tokenizer.tokenizer(), TextLimits.DEFAULT);
        int chunk = TextLimits.DEFAULT.maxBatch();
        List<TrainingExample> rows = new ArrayList<>(examples.size());
        int truncated = 0;
        try {
            PrepareOptions options = options(format);
            for (int from = 0; from < examples.size(); from += chunk) {
                List<Example> part = examples.subList(from, Math.min(from + chunk, examples.size()));
                PreparedBatch batch = preparer.prepare(part, options);
                truncated += batch.truncatedCount();
                for (PreparedExample p : batch.examples()) {
                    rows.add(TrainingExample.of(p.inputIds(), p.attentionMask(), p.labels()));
                }
            }
        } catch (TokenizationException e) {
            throw new JobFailure(
                    ErrorType.TOKENIZER,
                    "examples cannot be prepared with tokenizer " + tokenizer.tokenizerJson() + ": " + e.getMessage(),
                    false,
                    e);
        }
        return new Encoded(rows, truncated);
    }
}
