package dev.kotune.inference;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The application with API keys on: an API key file with two keys (and a comment line), an admin key file with one.
 * {@link AccessTest} and {@link SwapUnderLoadTest} share this one application start.
 */
public class KeysProfile implements QuarkusTestProfile {

    static final String API_KEY = "sk-kotune-test-api-1";
    static final String OTHER_API_KEY = "sk-kotune-test-api-2";
    static final String ADMIN_KEY = "sk-kotune-test-admin";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = TestExports.temporaryDirectory("kotune-keys-");
            Path api = Files.writeString(
                    dir.resolve("api-keys"), "# API keys of the test\n" + API_KEY + "\n\n  " + OTHER_API_KEY + "  \n");
            Path admin = Files.writeString(dir.resolve("admin-keys"), ADMIN_KEY + "\n");
            return Map.of(
                    "kotune.inference.api-keys-file", api.toString(),
                    "kotune.inference.admin-keys-file", admin.toString(),
                    // the swap test's 32 streams at once
                    "kotune.inference.max-batch-size", "40");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
