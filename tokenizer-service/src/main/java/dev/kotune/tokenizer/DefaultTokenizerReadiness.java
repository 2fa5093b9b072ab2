package dev.kotune.tokenizer;

import dev.kotune.tokenization.TokenizerInfo;
import dev.kotune.tokenization.TokenizerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the default tokenizer loads (it is loaded on the first probe if startup did not). Thread-safe. */
@Readiness
@ApplicationScoped
public class DefaultTokenizerReadiness implements HealthCheck {
    @Inject
    TokenizerRegistry registry;

    @Override
    public HealthCheckResponse call() {
        try {
            TokenizerInfo info = registry.getDefault().info();
            return HealthCheckResponse.named("default-tokenizer")
                    .up()
                    .withData("source", info.source())
                    .withData("vocab_size", info.vocabSize())
                    .withData("sha256", info.sha256())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("default-tokenizer")
                    .down()
                    .withData("tokenizer", registry.defaultName())
                    .withData("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }
}
