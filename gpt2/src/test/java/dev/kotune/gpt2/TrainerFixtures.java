package dev.kotune.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Builds trainer inputs from a training golden. */
final class TrainerFixtures {

    private TrainerFixtures() {}

    static List<TrainingExample> examples(JsonNode data) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < data.get("input_ids").size(); i++) {
            out.add(TrainingExample.of(
                    Golden.ints(data.get("input_ids").get(i)),
                    Golden.ints(data.get("attention_mask").get(i)),
                    Golden.ints(data.get("labels").get(i))));
        }
        return out;
    }

    static TrainingArguments args(JsonNode a) {
        return new TrainingArguments(
                a.get("per_device_train_batch_size").asInt(),
                a.get("gradient_accumulation_steps").asInt(),
                a.get("num_train_epochs").asDouble(),
                -1,
                a.get("learning_rate").asDouble(),
                a.get("weight_decay").asDouble(),
                a.get("warmup_steps").asLong(),
                a.get("adam_beta1").asDouble(),
                a.get("adam_beta2").asDouble(),
                a.get("adam_epsilon").asDouble(),
                a.get("max_grad_norm").asDouble(),
                a.get("logging_steps").asInt(),
                a.get("seed").asLong());
    }

    /** HF's sampler order as recorded: all micro-batches in order, cut into epochs of {@code n} indices. */
    static DataOrder goldenOrder(JsonNode golden, int n) {
        List<Integer> flat = new ArrayList<>();
        golden.get("steps").forEach(s -> s.get("micro_batches").forEach(mb -> mb.forEach(i -> flat.add(i.asInt()))));
        List<int[]> epochs = new ArrayList<>();
        for (int i = 0; i + n <= flat.size(); i += n) {
            epochs.add(
                    flat.subList(i, i + n).stream().mapToInt(Integer::intValue).toArray());
        }
        return DataOrder.fixed(epochs);
    }
}
