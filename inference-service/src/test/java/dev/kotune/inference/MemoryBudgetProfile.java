package dev.kotune.inference;

import dev.kotune.inference.engine.OnnxTextGenerator;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The application with a models memory budget of three tiny exports ({@link #perModel} bytes each, as the budget
 * estimates them, plus half of one for slack: room for three, never four), models {@value #PINNED}, pin2 and pin3
 * pinned, and a short
 * wait for room. Used by {@link MemoryBudgetTest}.
 */
public class MemoryBudgetProfile implements QuarkusTestProfile {

    static final String PINNED = "pinned";
    /** Two more pinned ids: with {@link #PINNED} they fill the budget, so nothing can be unloaded. */
    static final String[] MORE_PINNED = {"pin2", "pin3"};

    static final int MAX_BATCH = 8;
    static final String LOAD_WAIT = "3s";

    /** The bytes the budget counts for one tiny export (model.onnx + the logits buffer of 8 rows x 51,200). */
    static long perModel() {
        return OnnxTextGenerator.estimateBytes(TestExports.tiny(), 51_200, MAX_BATCH);
    }

    static long budget() {
        return 3 * perModel() + perModel() / 2;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "kotune.inference.models-memory-budget",
                Long.toString(budget()),
                "kotune.inference.pinned-models",
                PINNED + "," + String.join(",", MORE_PINNED),
                "kotune.inference.model-load-wait",
                LOAD_WAIT,
                "kotune.inference.max-batch-size",
                Integer.toString(MAX_BATCH));
    }
}
