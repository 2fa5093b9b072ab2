package dev.kotune.trainer.domain;

/** File formats of a dataset given by URI. */
public enum DatasetFormat {
    /** No file: the examples are inline in the job. */
    INLINE,
    /** One JSON object per line with "prompt" and "completion". */
    JSONL,
    /** CSV with a header; prompt and completion columns named in the dataset (ChatbotData: Q, A). */
    CSV
}
