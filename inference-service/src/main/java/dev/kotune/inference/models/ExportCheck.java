package dev.kotune.inference.models;

import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks an export directory's files before anything native is loaded: {@code model.onnx} and {@code tokenizer.json}
 * are there, and the tokenizer is the one the model was trained with (its sha256 equals kotune.json's
 * {@code tokenizer_sha256}, and the event's when it came from {@code CheckpointExported}). Each failure is a
 * {@link ModelInvalidException} that names the model and says how to fix the export. Stateless, thread-safe.
 */
public final class ExportCheck {

    /** The ONNX graph file of an export. */
    public static final String MODEL_FILE = "model.onnx";
    /** The tokenizer file of an export. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private ExportCheck() {}

    /**
     * Checks {@code model}'s directory.
     *
     * @param announcedSha256 the tokenizer sha256 an event announced; null or empty when there is none
     * @return the actual sha256 of the export's tokenizer.json (lower-case hex)
     * @throws ModelInvalidException when a file is missing or the tokenizer does not match
     */
    public static String check(ServedModel model, String announcedSha256) {
        Path dir = model.directory();
        String hint = "export the checkpoint again with: ./kotune export --checkpoint "
                + (model.source().isEmpty() ? "CHECKPOINT_DIR" : model.source()) + " --out " + dir;
        if (!Files.isDirectory(dir)) {
            throw new ModelInvalidException("model " + model.id() + ": export directory " + dir + " does not exist");
        }
        if (!Files.isRegularFile(dir.resolve(MODEL_FILE))) {
            throw new ModelInvalidException("model " + model.id() + ": no " + MODEL_FILE + " in " + dir
                    + " (kotune.json alone is not an export); " + hint);
        }
        Path tokenizer = dir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(tokenizer)) {
            throw new ModelInvalidException("model " + model.id() + ": no " + TOKENIZER_FILE + " in " + dir
                    + " (text needs the tokenizer the model was trained with); " + hint
                    + " --tokenizer TOKENIZER_JSON");
        }
        String actual;
        try {
            actual = sha256(tokenizer);
        } catch (IOException e) {
            throw new ModelInvalidException(
                    "model " + model.id() + ": cannot read " + tokenizer + ": " + e.getMessage(), e);
        }
        String expected = model.tokenizerSha256();
        if (!expected.isEmpty() && !expected.equalsIgnoreCase(actual)) {
            throw new ModelInvalidException("model " + model.id() + ": tokenizer mismatch: " + tokenizer
                    + " has sha256 " + actual + " but kotune.json says the model was trained with tokenizer sha256 "
                    + expected + "; the export mixes files of different runs, and this tokenizer would turn text into"
                    + " ids the model never learned. Hint: " + hint + " --tokenizer <the tokenizer.json it was"
                    + " trained with>");
        }
        if (announcedSha256 != null && !announcedSha256.isEmpty() && !announcedSha256.equalsIgnoreCase(actual)) {
            throw new ModelInvalidException("model " + model.id() + ": tokenizer mismatch: " + tokenizer
                    + " has sha256 " + actual + " but the CheckpointExported event announced " + announcedSha256
                    + "; the export directory was changed after the event. Hint: " + hint);
        }
        return actual;
    }

    /** Lower-case hex sha256 of a file's bytes. */
    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
