package dev.kotune.inference.domain;

/** No model can answer right now (none loaded, loading, draining): UNAVAILABLE over gRPC, HTTP 503 over REST. */
public class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
