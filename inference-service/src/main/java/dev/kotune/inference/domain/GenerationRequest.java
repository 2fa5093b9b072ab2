package dev.kotune.inference.domain;

/**
 * One validated generation request. Immutable, thread-safe.
 *
 * @param model    model id from the catalog; empty = the default model
 * @param prompt   the prompt
 * @param settings decoding settings
 */
public record GenerationRequest(String model, Prompt prompt, GenerationSettings settings) {
}
