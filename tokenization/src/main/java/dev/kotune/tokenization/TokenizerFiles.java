package dev.kotune.tokenization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The files a tokenizer is built from. Only {@code tokenizer.json} is required; the others, when present in a
 * directory, give the special-token roles and the model's maximum length as transformers reads them.
 *
 * @param tokenizerJson the HF tokenizers JSON
 * @param tokenizerConfig {@code tokenizer_config.json}, if any
 * @param specialTokensMap {@code special_tokens_map.json}, if any
 * @param modelConfig {@code config.json}, if any (for {@code n_positions})
 */
public record TokenizerFiles(
        Path tokenizerJson,
        Optional<Path> tokenizerConfig,
        Optional<Path> specialTokensMap,
        Optional<Path> modelConfig) {

    /** The files looked for in a directory or hub snapshot, besides {@code tokenizer.json}. */
    public static final List<String> OPTIONAL_FILES =
            List.of("tokenizer_config.json", "special_tokens_map.json", "config.json");

    public TokenizerFiles {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(tokenizerConfig, "tokenizerConfig");
        Objects.requireNonNull(specialTokensMap, "specialTokensMap");
        Objects.requireNonNull(modelConfig, "modelConfig");
    }

    /** A bare {@code tokenizer.json}, nothing else. */
    public static TokenizerFiles ofFile(Path tokenizerJson) {
        return new TokenizerFiles(tokenizerJson, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Whatever of the HF layout {@code dir} holds. */
    public static TokenizerFiles ofDirectory(Path dir) {
        return new TokenizerFiles(
                dir.resolve(TokenizerSource.HfDirectory.TOKENIZER_JSON),
                existing(dir.resolve(OPTIONAL_FILES.get(0))),
                existing(dir.resolve(OPTIONAL_FILES.get(1))),
                existing(dir.resolve(OPTIONAL_FILES.get(2))));
    }

    private static Optional<Path> existing(Path p) {
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
