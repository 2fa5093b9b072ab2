package dev.kotune.trainer.run;

/** The machine-readable {@code TrainingFailed.error_type} values the runner publishes. */
public enum ErrorType {
    /** The base model cannot be found or read (missing directory, config.json, weights; unknown built-in; hub). */
    BASE_MODEL,
    /** The tokenizer cannot be loaded, does not fit the model, or cannot encode the examples. */
    TOKENIZER,
    /** The dataset file could not be read again at run time (it changed or vanished after validation). */
    DATASET,
    /** A checkpoint could not be written or read (disk full, permissions, a broken resume state). */
    CHECKPOINT_IO,
    /** The ONNX export failed. */
    EXPORT,
    /** Generating the before/after answers on the exported model failed. */
    EVALUATION,
    /** The training loss or gradient norm became NaN or infinite; training stopped at that step, nothing saved. */
    DIVERGED,
    /** The JVM heap or the native allocator ran out of memory. */
    OUT_OF_MEMORY,
    /** Anything else: a bug. */
    INTERNAL
}
