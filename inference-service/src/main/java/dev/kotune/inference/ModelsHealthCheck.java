package dev.kotune.inference;

import dev.kotune.inference.events.TrainingEventsFollower;
import dev.kotune.inference.models.ModelCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: DOWN only when the models directory exists but cannot be read; with no models the server is still
 * ready (ListModels answers, generation answers UNAVAILABLE), and Kafka being away does not make it unready either
 * (it serves what it has). Reports the directory, the model count, the generator in use, the loaded models with
 * their execution provider, and the training-events follower's state. Thread-safe.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {

    private final ModelCatalog catalog;
    private final CompletionService completions;
    private final TextGenerator generator;
    private final TrainingEventsFollower events;

    public ModelsHealthCheck(
            ModelCatalog catalog,
            CompletionService completions,
            TextGenerator generator,
            TrainingEventsFollower events) {
        this.catalog = catalog;
        this.completions = completions;
        this.generator = generator;
        this.events = events;
    }

    @Override
    public HealthCheckResponse call() {
        Path dir = catalog.modelsDir();
        boolean readable = !Files.exists(dir) || (Files.isDirectory(dir) && Files.isReadable(dir));
        var response = HealthCheckResponse.named("kotune-models")
                .status(readable)
                .withData("models_dir", dir.toString())
                .withData("models", readable ? catalog.list().size() : 0)
                .withData("generator", completions.generatorName())
                .withData("loaded", generator.loaded().toString());
        events.status().forEach((k, v) -> response.withData("events_" + k, String.valueOf(v)));
        return response.build();
    }
}
