package dev.kotune.inference.domain;

/**
 * Token accounting of one generation. Immutable.
 *
 * @param promptTokens       e.g. 9
 * @param completionTokens   e.g. 21
 * @param timeToFirstTokenMs e.g. 12.5
 * @param totalTimeMs        e.g. 180.0
 */
public record Usage(int promptTokens, int completionTokens, double timeToFirstTokenMs, double totalTimeMs) {}
