package dev.kotune.trainer.domain;

import dev.kotune.engine.SamplingParams;
import java.util.List;

/**
 * Prompts answered before and after training, as the notebook did. Immutable.
 *
 * @param prompts    up to 16 raw questions, e.g. ["안녕하세요?"]
 * @param generation decoding settings, the engine's generation contract (default: the notebook's)
 */
public record EvaluationSpec(List<String> prompts, SamplingParams generation) {

    public EvaluationSpec {
        prompts = List.copyOf(prompts);
    }
}
