package dev.kotune.tokenization.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A trained tokenizer as the bytes of its two files, {@code tokenizer.json} and {@code tokenizer_config.json}, with
 * the model and the run's numbers.
 *
 * <p>Immutable, thread-safe.
 */
public final class TrainedTokenizer {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private final BpeModel model;
    private final byte[] tokenizerJson;
    private final byte[] tokenizerConfigJson;
    private final TrainingStats stats;

    TrainedTokenizer(BpeModel model, byte[] tokenizerJson, byte[] tokenizerConfigJson, TrainingStats stats) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizerJson = tokenizerJson.clone();
        this.tokenizerConfigJson = tokenizerConfigJson.clone();
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    public BpeModel model() {
        return model;
    }

    public TrainingStats stats() {
        return stats;
    }

    /** The bytes of {@code tokenizer.json}. */
    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    /** The bytes of {@code tokenizer_config.json}. */
    public byte[] tokenizerConfigJson() {
        return tokenizerConfigJson.clone();
    }

    /** The sha256 of {@code tokenizer.json}, 64 lowercase hex characters. */
    public String sha256() {
        return sha256(tokenizerJson);
    }

    /**
     * Writes both files into {@code dir} (created if needed; other files there are left alone), each through a
     * temporary file renamed into place, so a reader never sees half a file.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve(TOKENIZER_JSON), tokenizerJson);
        write(dir.resolve(TOKENIZER_CONFIG_JSON), tokenizerConfigJson);
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** sha256 of {@code bytes} as 64 lowercase hex characters. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
