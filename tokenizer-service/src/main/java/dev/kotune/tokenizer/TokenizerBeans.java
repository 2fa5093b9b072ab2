package dev.kotune.tokenizer;

import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.tokenization.HubClient;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenizerLoader;
import dev.kotune.tokenization.TokenizerRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Builds the library objects the service shares: the tokenizer registry (closed at shutdown) and the limits. */
@ApplicationScoped
public class TokenizerBeans {
    private static final Logger LOG = Logger.getLogger(TokenizerBeans.class);

    @Produces
    @Singleton
    TokenizerRegistry registry(TokenizerServiceConfig config) {
        HfEnvironment env = HfEnvironment.fromSystem();
        if (config.hubEndpoint().isPresent()) {
            env = env.withEndpoint(config.hubEndpoint().get());
        }
        if (config.hubCache().isPresent()) {
            env = env.withHubCache(config.hubCache().get());
        }
        if (config.hubOffline().isPresent()) {
            env = env.withOffline(config.hubOffline().get());
        }
        LOG.infof(
                "tokenizers: default %s@%s, hub %s, cache %s%s",
                config.defaultTokenizer(),
                config.defaultRevision(),
                env.endpoint(),
                env.hubCache(),
                env.offline() ? " (offline)" : "");
        return new TokenizerRegistry(
                new TokenizerLoader(new HubClient(env, config.hubTimeout())),
                config.defaultTokenizer(),
                config.defaultRevision());
    }

    void close(@Disposes TokenizerRegistry registry) {
        registry.close();
    }

    @Produces
    @Singleton
    TextLimits limits(TokenizerServiceConfig config) {
        return new TextLimits(config.maxTextBytes(), config.maxBatch());
    }

    void preload(@Observes StartupEvent event, TokenizerServiceConfig config, TokenizerRegistry registry) {
        if (!config.preloadDefault()) {
            return;
        }
        try {
            var info = registry.getDefault().info();
            LOG.infof(
                    "default tokenizer ready: %s (vocab %d, sha256 %s)",
                    info.source(), info.vocabSize(), info.sha256());
        } catch (RuntimeException e) {
            LOG.warnf(
                    "default tokenizer %s not loaded at startup (readiness stays DOWN until it loads): %s",
                    config.defaultTokenizer(), e.getMessage());
        }
    }
}
