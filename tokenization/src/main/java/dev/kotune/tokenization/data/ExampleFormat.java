package dev.kotune.tokenization.data;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats of {prompt, completion} examples. */
public enum ExampleFormat {
    /**
     * One JSON object per line with string fields {@code prompt} and {@code completion}: JSON Lines, which is also
     * Hugging Face {@code datasets}' JSON ({@code Dataset.to_json}, {@code load_dataset("json", ...)}).
     */
    JSONL,
    /** CSV with a header row; the prompt and completion columns are named (ChatbotData: {@code Q}, {@code A}). */
    CSV;

    /** JSONL for a {@code .jsonl} or {@code .json} file name, else CSV. */
    public static ExampleFormat ofFileName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".json") ? JSONL : CSV;
    }
}
