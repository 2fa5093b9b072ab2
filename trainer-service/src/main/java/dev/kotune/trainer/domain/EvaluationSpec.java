package dev.kotune.trainer.domain;

import java.util.List;

/**
 * Prompts answered before and after training, as the notebook did. Immutable.
 *
 * @param prompts    up to 16 raw questions, e.g. ["안녕하세요?"]
 * @param generation decoding settings
 */
public record EvaluationSpec(List<String> prompts, GenerationSettings generation) {

    public EvaluationSpec {
        prompts = List.copyOf(prompts);
    }
}
