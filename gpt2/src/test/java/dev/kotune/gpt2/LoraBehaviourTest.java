package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointMismatchException;
import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.LoraConfig;
import dev.kotune.checkpoint.PeftAdapter;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.testing.RepoFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on the tiny model: PEFT's initialisation, the frozen base, dropout on the A path, and base checks on load. */
class LoraBehaviourTest {

    @TempDir
    Path tmp;

    private static Checkpoint ck;
    private static Golden golden;

    @BeforeAll
    static void load() throws Exception {
        Torch.configureThreads(2);
        ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        golden = Golden.load("peft/lora_notebook.json");
    }

    private static Gpt2Model tiny() {
        return Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights());
    }

    @Test
    void freshAdapterIsPeftsInitAndLeavesTheLogitsAlone() {
        Batch batch = LoraParityTest.batch(golden.root().get("data"));
        try (Gpt2Model model = tiny()) {
            float[] before = model.logits(batch);
            model.addLora(LoraConfig.defaults(), 42);
            assertThat(model.trainableParameters()).hasSize(24);
            assertThat(model.parameters().values()).noneMatch(NDArray::hasGradient);
            assertThat(model.trainableParameters().values()).allMatch(NDArray::hasGradient);
            StateDict a = model.adapterStateDict();
            for (String n : a.names()) {
                float[] v = a.get(n).toArray();
                if (n.endsWith("lora_B.weight")) {
                    assertThat(v).as(n).containsOnly(0f);
                } else { // kaiming_uniform_(a=√5) on (r, in): uniform(±1/√in)
                    double bound = 1 / Math.sqrt(a.get(n).shape()[1]);
                    double max = 0;
                    for (float x : v) {
                        assertThat(Math.abs(x)).as(n).isLessThanOrEqualTo((float) bound);
                        max = Math.max(max, Math.abs(x));
                    }
                    assertThat(max).as(n + " spans its range").isGreaterThan(0.8 * bound);
                }
            }
            float[] after = model.logits(batch);
            double diff = 0;
            for (int i = 0; i < after.length; i++) {
                diff = Math.max(diff, Math.abs(after[i] - before[i]));
            }
            assertThat(diff).as("B = 0: output unchanged").isEqualTo(0.0);
            assertThat(model.nonEmbeddingParameterCount())
                    .as("HF counts LoRA weights in floating_point_ops")
                    .isEqualTo(84_912 + 18_432);
        }
    }

    @Test
    void trainingMovesOnlyTheAdapter() {
        List<TrainingExample> data = TrainerFixtures.examples(golden.root().get("data"));
        TrainingArguments args = new TrainingArguments(4, 1, 3, -1, 1e-3, 0.01, 0, 0.9, 0.999, 1e-8, 1.0, 1, 42);
        try (Gpt2Model model = tiny()) {
            model.addLora(LoraConfig.defaults(), 7);
            StateDict init = model.adapterStateDict();
            List<StepEvent> steps = new ArrayList<>();
            new Trainer(model, args, DataOrder.seededShuffle(42)).train(data, steps::add, () -> false);
            assertThat(steps).hasSize(3);
            assertThat(steps.get(2).log().loss()).isLessThan(steps.get(0).log().loss());
            assertThat(model.stateDict().differences(ck.weights())).isEmpty();
            assertThat(model.adapterStateDict().differences(init)).hasSize(24);
        }
    }

    @Test
    void dropoutActsOnTheAPathInputOnlyWhileTraining() throws Exception {
        Batch batch = LoraParityTest.batch(golden.root().get("data"));
        StateDict trained = LoraParityTest.adapter(golden, "adapter_final");
        float[] off;
        float[] train1;
        float[] train2;
        float[] noLoraDropout;
        try (Gpt2Model model = tiny()) {
            model.addLora(LoraConfig.of(8, 16, 0.5, LoraConfig.DEFAULT_TARGETS), trained);
            off = model.logits(batch);
            train1 = trainingLogits(model, batch, Dropout.training(1, 0));
            train2 = trainingLogits(model, batch, Dropout.training(1, 0));
        }
        try (Gpt2Model model = tiny()) {
            model.addLora(LoraConfig.of(8, 16, 0.0, LoraConfig.DEFAULT_TARGETS), trained);
            noLoraDropout = trainingLogits(model, batch, Dropout.training(1, 0));
            assertThat(java.util.Arrays.equals(noLoraDropout, off))
                    .as("p = 0 and a dropout-free base: training = eval")
                    .isTrue();
        }
        assertThat(java.util.Arrays.equals(train1, train2))
                .as("same (seed, step): same masks")
                .isTrue();
        assertThat(LoraParityTest.maxDiffValid(train1, off, batch)).isGreaterThan(1e-3);
        // the base path has no dropout here, so the difference is the adapter's alone: bounded by its effect
        float[] base;
        try (Gpt2Model model = tiny()) {
            base = model.logits(batch);
        }
        assertThat(LoraParityTest.maxDiffValid(off, base, batch)).isGreaterThan(1e-3);
    }

    private static float[] trainingLogits(Gpt2Model model, Batch batch, Dropout d) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return model.forward(batch, d).toFloatArray();
        }
    }

    @Test
    void peftSavedAdapterLoadsAndGivesPeftsLogits() throws Exception {
        Path dir = RepoFiles.conformance("goldens/peft/lora_notebook_adapter");
        Batch batch = LoraParityTest.batch(golden.root().get("data"));
        try (Gpt2Model model = tiny()) {
            model.loadAdapter(PeftAdapter.read(dir), dir, "tiny-kogpt2");
            double err = LoraParityTest.logitsError(golden, "unmerged_logits", model.logits(batch), batch);
            assertThat(err).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void anAdapterTrainedOnAnotherBaseIsRefusedWithAHint() throws Exception {
        Path dir;
        try (Gpt2Model model = tiny()) {
            model.addLora(LoraConfig.defaults(), 3);
            dir = model.toPeftAdapter("tiny-kogpt2").write(tmp.resolve("adapter"));
        }
        PeftAdapter adapter = PeftAdapter.read(dir);
        try (Gpt2Model other = Gpt2Model.random(ck.config().withDropout(0), 99)) {
            assertThatThrownBy(() -> other.loadAdapter(adapter, dir, "random-99"))
                    .isInstanceOf(CheckpointMismatchException.class)
                    .hasMessageContaining(
                            "trained on base tiny-kogpt2 with weights sha256 " + adapter.baseWeightsSha256())
                    .hasMessageContaining("offered base random-99 has weights sha256 " + other.baseWeightsSha256())
                    .hasMessageContaining("Hint: serve or merge it with the base it was trained on (tiny-kogpt2)");
            assertThat(other.lora()).isEmpty();
        }
        try (Gpt2Model same = tiny()) {
            same.loadAdapter(adapter, dir, "tiny-kogpt2");
            assertThat(same.lora()).contains(LoraConfig.defaults());
        }
    }

    @Test
    void shapesThatDoNotFitTheBaseAreRefused() {
        StateDict w = new StateDict(null);
        w.put("h.0.attn.c_attn.lora_A.weight", FloatTensor.of(new int[] {8, 47}, new float[8 * 47]));
        w.put("h.0.attn.c_attn.lora_B.weight", FloatTensor.of(new int[] {144, 8}, new float[144 * 8]));
        PeftAdapter bad = new PeftAdapter(LoraConfig.of(8, 16, 0, List.of("h.0.attn.c_attn")), null, null, w);
        try (Gpt2Model model = tiny()) {
            assertThatThrownBy(() -> model.loadAdapter(bad, tmp, "tiny"))
                    .isInstanceOf(CheckpointMismatchException.class)
                    .hasMessageContaining("adapter tensor h.0.attn.c_attn.lora_A.weight is of shape (8, 47)")
                    .hasMessageContaining("this base needs [8, 48]");
            assertThatThrownBy(() -> model.addLora(LoraConfig.of(8, 16, 0, List.of("h.7.mlp.c_fc")), 1))
                    .hasMessageContaining("target_modules entry 'h.7.mlp.c_fc' matches no Conv1D of this 3-layer");
            assertThat(model.lora()).isEmpty();
            assertThat(model.parameters().values()).allMatch(NDArray::hasGradient);
        }
    }
}
