package dev.kotune.trainer.domain;

import java.util.Map;

/**
 * A validated training job with every default filled in: what a {@code JobRunner} runs. Immutable, thread-safe.
 *
 * @param jobId          [A-Za-z0-9][A-Za-z0-9._-]{0,127} (JobValidator.JOB_ID), e.g. "chatbot-2024-01"
 * @param baseModel      hub id, HF-layout directory or built-in name, e.g. "skt/kogpt2-base-v2"
 * @param tokenizer      tokenizer path or hub id, e.g. "skt/kogpt2-base-v2" (the base model's by default)
 * @param dataset        training data
 * @param format         preprocessing
 * @param hyperparameters optimizer and schedule
 * @param export         export settings
 * @param evaluation     before/after answers
 * @param labels         free-form labels copied to every artifact, at most 32
 */
public record TrainingJob(
        String jobId,
        String baseModel,
        String tokenizer,
        Dataset dataset,
        PromptFormat format,
        Hyperparameters hyperparameters,
        ExportOptions export,
        EvaluationSpec evaluation,
        Map<String, String> labels) {

    public TrainingJob {
        labels = Map.copyOf(labels);
    }
}
