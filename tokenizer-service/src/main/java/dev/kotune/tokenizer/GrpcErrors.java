package dev.kotune.tokenizer;

import dev.kotune.tokenization.HubOfflineException;
import dev.kotune.tokenization.HubUnavailableException;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.TokenizerNotFoundException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.jboss.logging.Logger;

/**
 * Maps library failures to gRPC status codes, as the proto documents them: INVALID_ARGUMENT (the description names
 * the field and the rule), NOT_FOUND (unknown tokenizer), FAILED_PRECONDITION (HF_HUB_OFFLINE and not cached),
 * UNAVAILABLE (hub unreachable, service shutting down); anything else is INTERNAL and logged.
 */
final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    static StatusRuntimeException toStatus(RuntimeException e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (e instanceof InvalidInputException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof TokenizerNotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof HubOfflineException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof HubUnavailableException) {
            return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("closed")) {
            return Status.UNAVAILABLE
                    .withDescription("the service is shutting down")
                    .asRuntimeException();
        }
        LOG.error("tokenizer request failed", e);
        return Status.INTERNAL.withDescription("internal error: " + e).asRuntimeException();
    }
}
