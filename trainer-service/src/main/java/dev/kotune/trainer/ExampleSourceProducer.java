package dev.kotune.trainer;

import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.trainer.run.ExampleSource;
import dev.kotune.trainer.run.GrpcExampleSource;
import dev.kotune.trainer.run.InProcessExampleSource;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Chooses how jobs' examples are prepared ({@code kotune.trainer.tokenizer}): tokenizer-service over gRPC through the
 * Quarkus client {@code tokenizer} ({@code quarkus.grpc.clients.tokenizer.host/port}, default localhost:9081), or
 * in-process.
 */
@ApplicationScoped
public class ExampleSourceProducer {

    private static final Logger LOG = Logger.getLogger(ExampleSourceProducer.class);

    @GrpcClient("tokenizer")
    TokenizerServiceGrpc.TokenizerServiceBlockingStub tokenizerService;

    @ConfigProperty(name = "quarkus.grpc.clients.tokenizer.host", defaultValue = "localhost")
    String host;

    @ConfigProperty(name = "quarkus.grpc.clients.tokenizer.port", defaultValue = "9081")
    int port;

    @Produces
    @Singleton
    ExampleSource exampleSource(TrainerConfig config) {
        if (config.tokenizer() == TrainerConfig.Tokenization.IN_PROCESS) {
            LOG.info("examples are prepared in-process (kotune.trainer.tokenizer=in-process)");
            return new InProcessExampleSource();
        }
        var s = config.tokenizerService();
        String address = host + ":" + port;
        LOG.infof(
                "examples are prepared by tokenizer-service at %s over gRPC (deadline %s, waits up to %s)",
                address, s.deadline(), s.maxWait());
        return new GrpcExampleSource(
                tokenizerService, address, s.deadline(), s.maxWait(), s.initialBackoff(), s.maxBackoff());
    }
}
