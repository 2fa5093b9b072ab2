package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.testing.RepoFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerBehaviourTest {

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    @Test
    void logsTheMeanLossSinceTheLastLogEveryLoggingSteps() throws Exception {
        Golden g = Golden.load("gpt2/train_notebook.json");
        JsonNode r = g.root();
        TrainingArguments args = TrainerFixtures.args(r.get("training_args")).withLogging(10);
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        List<StepEvent> events = new ArrayList<>();
        TrainOutput out;
        try (Gpt2Model m = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            out = new Trainer(m, args, TrainerFixtures.goldenOrder(r, 4))
                    .train(TrainerFixtures.examples(r.get("data")), events::add, () -> false);
        }
        assertThat(out.logHistory()).extracting(LogEntry::step).containsExactly(10L, 20L);
        assertThat(events.stream().filter(e -> e.log() != null).count()).isEqualTo(2);
        for (LogEntry log : out.logHistory()) {
            double mean = 0;
            for (int s = (int) log.step() - 10; s < log.step(); s++) {
                mean += r.get("steps").get(s).get("loss").asDouble() / 10;
            }
            JsonNode last = r.get("steps").get((int) log.step() - 1);
            assertThat(TrainerParityTest.rel(log.loss(), mean)).isLessThanOrEqualTo(1e-4);
            assertThat(TrainerParityTest.rel(
                            log.gradNorm(), last.get("grad_norm").asDouble()))
                    .isLessThan(1e-3);
            assertThat(log.learningRate()).isEqualTo(last.get("learning_rate").asDouble());
            assertThat(log.epoch()).isEqualTo(last.get("epoch").asDouble());
        }
        assertThat(out.trainSamplesPerSecond())
                .isCloseTo(80 / out.trainRuntime(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.trainStepsPerSecond())
                .isCloseTo(20 / out.trainRuntime(), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void keepsTheLastPartialBatchAndStopsWhenCancelled() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        List<TrainingExample> data = TrainerFixtures.examples(
                        Golden.load("gpt2/train_notebook.json").root().get("data"))
                .subList(0, 3);
        TrainingArguments args =
                TrainingArguments.notebook().withBatch(2, 1).withEpochs(2, -1).withLogging(1);
        List<StepEvent> events = new ArrayList<>();
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            TrainOutput out = new Trainer(m, args, DataOrder.sequential()).train(data, events::add, () -> false);
            // 3 examples, batch 2 → micro-batches of 2 and 1 per epoch → 2 steps per epoch, 4 in all
            assertThat(out.globalStep()).isEqualTo(4);
            assertThat(events).extracting(StepEvent::epoch).containsExactly(0.5, 1.0, 1.5, 2.0);
            // the fused optimizer zeroes the real gradient tensors (not a contiguous copy of them)
            m.parameters().forEach((name, p) -> {
                try (ai.djl.ndarray.NDArray g = p.getGradient()) {
                    float[] v = g.toFloatArray();
                    float max = 0;
                    for (float f : v) {
                        max = Math.max(max, Math.abs(f));
                    }
                    assertThat(max).as("grad of %s after the step", name).isZero();
                }
            });
        }
        events.clear();
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            TrainOutput out =
                    new Trainer(m, args, DataOrder.sequential()).train(data, events::add, () -> events.size() == 1);
            assertThat(out.cancelled()).isTrue();
            assertThat(out.globalStep()).isEqualTo(1);
        }
    }

    @Test
    void dropoutIsActiveOnlyInTrainingMode() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        Batch b = Batch.of(List.of(new long[] {24454, 401, 25906, 8702, 7801, 13675}));
        try (Gpt2Model m = Gpt2Model.load(ck);
                Gpt2Model noDrop = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            float[] eval1 = m.logits(b);
            float[] eval2 = m.logits(b);
            assertThat(Arrays.equals(eval1, eval2)).isTrue();
            assertThat(Arrays.equals(noDrop.logits(b), eval1)).isTrue();
            float[] train1 = trainingLogits(m, b, 7, 0);
            float[] train2 = trainingLogits(m, b, 7, 0);
            float[] train3 = trainingLogits(m, b, 7, 1);
            assertThat(Arrays.equals(train1, train2))
                    .as("same (seed, micro-step): same masks")
                    .isTrue();
            assertThat(Arrays.equals(train1, eval1)).isFalse();
            assertThat(Arrays.equals(train1, train3)).isFalse();
            assertThat(Arrays.equals(trainingLogits(noDrop, b, 7, 0), eval1))
                    .as("p = 0: identity in training")
                    .isTrue();
        }
    }

    @Test
    void resizingTokenEmbeddingsKeepsOldRowsAndGrowsTheVocabulary() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        Batch b = Batch.of(List.of(new long[] {24454, 401, 25906}));
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            float[] before = m.logits(b);
            m.resizeTokenEmbeddings(51202, 1);
            assertThat(m.config().vocabSize()).isEqualTo(51202);
            assertThat(m.parameters().get("wte.weight").getShape().get(0)).isEqualTo(51202);
            float[] wte = m.stateDict().get("wte.weight").toArray();
            float[] old = ck.weights().get("wte.weight").toArray();
            assertThat(Arrays.equals(Arrays.copyOf(wte, old.length), old))
                    .as("old rows kept")
                    .isTrue();
            float[] after = m.logits(Batch.of(List.of(new long[] {24454, 401, 51201})));
            assertThat(after).hasSize(3 * 51202);
            // logits of the old vocabulary at the first position are unchanged
            for (int c = 0; c < 51200; c++) {
                assertThat(after[c]).isEqualTo(before[c]);
            }
        }
    }

    private static float[] trainingLogits(Gpt2Model m, Batch b, long seed, long step) {
        try (ai.djl.ndarray.NDScope s = new ai.djl.ndarray.NDScope()) {
            s.suppressNotUsedWarning();
            return m.forward(b, Dropout.training(seed, step)).toFloatArray();
        }
    }
}
