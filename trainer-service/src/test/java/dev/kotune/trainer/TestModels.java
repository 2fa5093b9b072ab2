package dev.kotune.trainer;

import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.trainer.run.ModelLocator;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** The repository's built-in models ({@code ../models} from the module directory), with a hub that is never reached. */
public final class TestModels {

    private TestModels() {}

    /** The repository root (tests run in {@code trainer-service/}). */
    public static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** Built-ins from {@code <repo>/models}; hub ids resolve offline against an empty cache. */
    public static ModelLocator locator() {
        return new ModelLocator(
                REPO.resolve("models"),
                new HfEnvironment(
                        Path.of(System.getProperty("java.io.tmpdir"), "kotune-test-empty-hf-cache"),
                        URI.create(HfEnvironment.DEFAULT_ENDPOINT),
                        true,
                        Optional.empty()));
    }
}
