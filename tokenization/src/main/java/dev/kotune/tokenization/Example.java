package dev.kotune.tokenization;

/**
 * One training example of the notebook.
 *
 * @param prompt the question, e.g. {@code "안녕하세요?"}
 * @param completion the answer, e.g. {@code " 안녕하세요! 무엇을 도와드릴까요?"} (leading space as in the notebook)
 */
public record Example(String prompt, String completion) {}
