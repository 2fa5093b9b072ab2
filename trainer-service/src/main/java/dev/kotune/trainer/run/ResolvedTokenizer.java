package dev.kotune.trainer.run;

import dev.kotune.tokenization.KoTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The job's tokenizer, loaded, with the files that travel with every checkpoint and export. Thread-safe (the
 * tokenizer is); close it to free the native tokenizer.
 *
 * @param tokenizer    the loaded tokenizer
 * @param name         as the job named it, e.g. "kotune/tiny-ko" or "/data/tok/tokenizer.json"
 * @param tokenizerJson its {@code tokenizer.json}
 * @param files        {@code tokenizer.json} plus {@code tokenizer_config.json} / {@code special_tokens_map.json}
 *                     when they sit beside it
 */
public record ResolvedTokenizer(KoTokenizer tokenizer, String name, Path tokenizerJson, List<Path> files)
        implements AutoCloseable {

    public ResolvedTokenizer {
        files = List.copyOf(files);
    }

    /** sha256 of {@code tokenizer.json}, lower-case hex. */
    public String sha256() {
        return tokenizer.info().sha256();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
