package dev.kotune.inference.domain;

/** The request names a model the catalog does not have: NOT_FOUND over gRPC, HTTP 404 over REST. */
public class ModelNotFoundException extends RuntimeException {

    private final String modelId;

    public ModelNotFoundException(String modelId, String message) {
        super(message);
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }
}
