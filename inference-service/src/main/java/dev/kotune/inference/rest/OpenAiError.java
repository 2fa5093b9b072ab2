package dev.kotune.inference.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}. Immutable.
 *
 * @param error the error
 */
public record OpenAiError(Body error) {

    /**
     * @param message what is wrong and what is allowed
     * @param type    "invalid_request_error", "not_found_error" or "server_error"
     * @param param   the request field at fault, e.g. "temperature"; null when none
     * @param code    machine-readable, e.g. "invalid_value", "model_not_found", "model_unavailable"
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Body(String message, String type, String param, String code) {}

    public static OpenAiError of(String message, String type, String param, String code) {
        return new OpenAiError(new Body(message, type, param, code));
    }
}
