package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.checkpoint.CheckpointMismatchException;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.checkpoint.LoraConfig;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.testing.RepoFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerResumeTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    /** Dropout on, two optimizer steps per epoch, logging every 4 steps: the save falls mid-epoch and mid-log. */
    private static final TrainingArguments ARGS = TrainingArguments.notebook()
            .withBatch(2, 1)
            .withEpochs(3, -1)
            .withLogging(4)
            .withOptimizer(1e-3, 0.01);

    @Test
    void saveResumeContinueEqualsAnUninterruptedRun() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        assertThat(ck.config().residPdrop()).isPositive();
        List<TrainingExample> data = TrainerFixtures.examples(
                Golden.load("gpt2/train_notebook.json").root().get("data"));

        List<StepEvent> straight = new ArrayList<>();
        TrainOutput full;
        StateDict fullWeights;
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            full = new Trainer(m, ARGS, DataOrder.seededShuffle(ARGS.seed())).train(data, straight::add, () -> false);
            fullWeights = m.stateDict();
        }
        assertThat(full.globalStep()).isEqualTo(6);

        List<StepEvent> resumed = new ArrayList<>();
        Path dir = tmp.resolve("step-3");
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            Trainer t = new Trainer(m, ARGS, DataOrder.seededShuffle(ARGS.seed()));
            TrainOutput part = t.train(data, resumed::add, () -> t.state().globalStep == 3);
            assertThat(part.cancelled()).isTrue();
            assertThat(part.globalStep()).isEqualTo(3);
            t.saveCheckpoint(dir, KotuneMetadata.of(m.config(), null, "tiny-kogpt2", "job-resume", 3, Map.of()), null);
            // the checkpoint's weights reload bit-identically in our loader
            assertThat(Checkpoint.read(dir).weights().differences(m.stateDict()))
                    .isEmpty();
        }
        Trainer t2 = Trainer.resume(dir, ARGS, DataOrder.seededShuffle(ARGS.seed()));
        TrainOutput rest;
        StateDict resumedWeights;
        try (Gpt2Model m = t2.model()) {
            rest = t2.train(data, resumed::add, () -> false);
            resumedWeights = m.stateDict();
        }
        assertThat(resumed).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(resumed.get(i)).as("step %d", i + 1).isEqualTo(straight.get(i));
        }
        assertThat(resumedWeights.differences(fullWeights)).isEmpty();
        assertThat(rest.logHistory()).isEqualTo(full.logHistory());
        assertThat(rest.trainingLoss()).isEqualTo(full.trainingLoss());
        assertThat(rest.totalFlos()).isEqualTo(full.totalFlos());
    }

    @Test
    void loraSaveResumeContinueEqualsAnUninterruptedRunAndNeedsItsBase() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        List<TrainingExample> data = TrainerFixtures.examples(
                Golden.load("gpt2/train_notebook.json").root().get("data"));
        LoraConfig lora = LoraConfig.of(4, 8, 0.1, List.of("c_attn", "mlp.c_proj")); // dropout on both paths
        List<StepEvent> straight = new ArrayList<>();
        StateDict fullAdapter;
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            m.addLora(lora, 5);
            new Trainer(m, ARGS, DataOrder.seededShuffle(ARGS.seed())).train(data, straight::add, () -> false);
            fullAdapter = m.adapterStateDict();
        }
        List<StepEvent> resumed = new ArrayList<>();
        Path dir = tmp.resolve("lora-step-3");
        try (Gpt2Model m = Gpt2Model.load(ck)) {
            m.addLora(lora, 5);
            Trainer t = new Trainer(m, ARGS, DataOrder.seededShuffle(ARGS.seed()));
            t.train(data, resumed::add, () -> t.state().globalStep == 3);
            t.saveCheckpoint(dir, KotuneMetadata.of(m.config(), null, "tiny-kogpt2", "job-lora", 3, Map.of()), null);
        }
        assertThat(dir.resolve("adapter_config.json")).isRegularFile();
        assertThat(dir.resolve(Checkpoint.SAFETENSORS)).doesNotExist(); // no copy of the base
        assertThatThrownBy(() -> Trainer.resume(dir, ARGS, DataOrder.sequential()))
                .hasMessageContaining("resume it with resumeAdapter");
        try (Gpt2Model other = Gpt2Model.random(ck.config(), 11)) {
            assertThatThrownBy(() -> Trainer.resumeAdapter(dir, other, "random", ARGS, DataOrder.sequential()))
                    .isInstanceOf(CheckpointMismatchException.class)
                    .hasMessageContaining("trained on base tiny-kogpt2");
        }
        try (Gpt2Model base = Gpt2Model.load(ck)) {
            Trainer t2 = Trainer.resumeAdapter(dir, base, "tiny-kogpt2", ARGS, DataOrder.seededShuffle(ARGS.seed()));
            t2.train(data, resumed::add, () -> false);
            assertThat(base.adapterStateDict().differences(fullAdapter)).isEmpty();
            assertThat(base.stateDict().differences(ck.weights())).isEmpty();
        }
        assertThat(resumed).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(resumed.get(i)).as("step %d", i + 1).isEqualTo(straight.get(i));
        }
    }

    @Test
    void resumingAModelOnlyCheckpointFailsWithAHint() {
        assertThatThrownBy(
                        () -> Trainer.resume(RepoFiles.conformance("models/tiny-kogpt2"), ARGS, DataOrder.sequential()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tiny-kogpt2")
                .hasMessageContaining("not a resumable training checkpoint");
    }
}
