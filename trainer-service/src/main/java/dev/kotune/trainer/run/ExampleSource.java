package dev.kotune.trainer.run;

import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.PromptFormat;
import java.util.List;

/**
 * Where a job's examples become token ids, attention masks and labels (the notebook's preprocessing): tokenizer-service
 * over gRPC ({@link GrpcExampleSource}, the default) or tokenization's preparer in this JVM
 * ({@link InProcessExampleSource}, {@code kotune.trainer.tokenizer=in-process}). Both give identical rows.
 * Implementations are thread-safe.
 */
public interface ExampleSource {

    /** What the job is told while the source waits, and whether it should stop waiting. */
    interface Job {
        /** A status line for the job's events (e.g. "waiting for tokenizer-service at ..."). */
        void waiting(String status);

        /** Whether the job was asked to stop. */
        boolean cancelRequested();
    }

    /**
     * The prepared rows.
     *
     * @param encoded the rows and how many were cut to max_length
     * @param via     how they were prepared, for the log: "in-process" or "tokenizer-service at host:port"
     * @param sha256  sha256 of the tokenizer.json that prepared them
     */
    record Prepared(ExampleEncoder.Encoded encoded, String via, String sha256) {}

    /** The job was cancelled while the source waited. */
    final class Cancelled extends Exception {
        public Cancelled() {
            super("cancelled while preparing the examples", null, false, false);
        }
    }

    /**
     * @param tokenizer the job's tokenizer, resolved (the base model's unless the job names one)
     * @throws JobFailure   the examples cannot be prepared (TOKENIZER; retryable when the service stayed away)
     * @throws JobRejection the tokenizer that would prepare them is not the job's
     */
    Prepared prepare(ResolvedTokenizer tokenizer, List<Example> examples, PromptFormat format, Job job)
            throws JobFailure, JobRejection, Cancelled;
}
