package dev.kotune.trainer;

import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.trainer.run.ModelLocator;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the one {@link ModelLocator} the validator and the runner share, from {@code kotune.trainer.*}: the
 * built-in models directory, the data roots that a job's local paths must lie under, and the HF hub environment ({@code HF_*} variables; {@code hub-offline} and
 * {@code hub-cache} override {@code HF_HUB_OFFLINE} and the cache location). Thread-safe.
 */
public class ModelLocatorProducer {

    @Produces
    @Singleton
    ModelLocator modelLocator(TrainerConfig config) {
        HfEnvironment env = HfEnvironment.fromSystem();
        if (config.hubOffline().isPresent()) {
            env = env.withOffline(config.hubOffline().get());
        }
        if (config.hubCache().isPresent()) {
            env = env.withHubCache(Path.of(config.hubCache().get()));
        }
        List<Path> roots = config.dataRoots().stream().map(Path::of).toList();
        return new ModelLocator(Path.of(config.builtinModelsDir()), env, roots);
    }
}
