package dev.kotune.trainer.domain;

/**
 * One prompt/completion pair, the notebook's data unit. Immutable, thread-safe.
 *
 * @param prompt     non-blank question, e.g. "안녕하세요?"
 * @param completion non-blank answer, e.g. " 안녕하세요! 무엇을 도와드릴까요?"
 */
public record Example(String prompt, String completion) {
}
