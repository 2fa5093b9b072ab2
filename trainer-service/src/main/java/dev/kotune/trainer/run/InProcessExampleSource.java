package dev.kotune.trainer.run;

import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.PromptFormat;
import java.util.List;

/** Prepares examples in this JVM with tokenization's {@code ExamplePreparer} ({@link ExampleEncoder}). Thread-safe. */
public final class InProcessExampleSource implements ExampleSource {

    @Override
    public Prepared prepare(ResolvedTokenizer tokenizer, List<Example> examples, PromptFormat format, Job job)
            throws JobFailure {
        return new Prepared(ExampleEncoder.encode(tokenizer, examples, format), "in-process", tokenizer.sha256());
    }
}
