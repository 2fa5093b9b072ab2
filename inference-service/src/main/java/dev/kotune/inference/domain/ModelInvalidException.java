package dev.kotune.inference.domain;

/**
 * A model's files cannot be served as they are (no model.onnx, no tokenizer.json, a tokenizer whose sha256 differs
 * from the one in kotune.json, a graph ONNX Runtime refuses): FAILED_PRECONDITION over gRPC, HTTP 503 with code
 * {@code model_invalid} over REST. The message names the model, says what is wrong and what to do about it; retrying
 * helps only once the export is fixed.
 */
public class ModelInvalidException extends RuntimeException {

    public ModelInvalidException(String message) {
        super(message);
    }

    public ModelInvalidException(String message, Throwable cause) {
        super(message, cause);
    }
}
