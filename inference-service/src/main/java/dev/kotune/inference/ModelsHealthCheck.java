package dev.kotune.inference;

import dev.kotune.inference.models.ModelCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: DOWN only when the models directory exists but cannot be read; with no models the server is still
 * ready (ListModels answers, generation answers UNAVAILABLE). Reports the directory, the model count and the
 * generator in use. Thread-safe.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {

    private final ModelCatalog catalog;
    private final CompletionService completions;

    public ModelsHealthCheck(ModelCatalog catalog, CompletionService completions) {
        this.catalog = catalog;
        this.completions = completions;
    }

    @Override
    public HealthCheckResponse call() {
        Path dir = catalog.modelsDir();
        boolean readable = !Files.exists(dir) || (Files.isDirectory(dir) && Files.isReadable(dir));
        return HealthCheckResponse.named("kotune-models")
                .status(readable)
                .withData("models_dir", dir.toString())
                .withData("models", readable ? catalog.list().size() : 0)
                .withData("generator", completions.generatorName())
                .build();
    }
}
