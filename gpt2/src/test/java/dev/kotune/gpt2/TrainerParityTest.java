package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.testing.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 20-step (and accumulation / warmup) runs of HF's Trainer on the notebook's examples vs ours, same data order. */
class TrainerParityTest {

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"train_notebook", "train_grad_accum", "train_warmup"})
    void perStepLossGradNormLrAndFinalParamsMatchHfTrainer(String run) throws Exception {
        Golden g = Golden.load("gpt2/" + run + ".json");
        JsonNode r = g.root();
        JsonNode tol = r.get("tolerances");
        List<TrainingExample> data = TrainerFixtures.examples(r.get("data"));
        TrainingArguments args = TrainerFixtures.args(r.get("training_args"));
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        List<StepEvent> steps = new ArrayList<>();
        TrainOutput out;
        StateDict after;
        try (Gpt2Model model = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            Trainer trainer = new Trainer(model, args, TrainerFixtures.goldenOrder(r, data.size()));
            out = trainer.train(data, steps::add, () -> false);
            after = model.stateDict();
        }
        JsonNode want = r.get("steps");
        assertThat(steps).hasSize(want.size());
        double lossErr = 0;
        double normErr = 0;
        for (int i = 0; i < steps.size(); i++) {
            StepEvent s = steps.get(i);
            JsonNode w = want.get(i);
            assertThat(s.step()).isEqualTo(w.get("step").asLong());
            assertThat(s.epoch()).isEqualTo(w.get("epoch").asDouble());
            assertThat(s.learningRate())
                    .isCloseTo(w.get("learning_rate").asDouble(), org.assertj.core.data.Offset.offset(1e-15));
            assertThat(s.log()).isNotNull();
            lossErr = Math.max(lossErr, rel(s.log().loss(), w.get("loss").asDouble()));
            normErr = Math.max(normErr, rel(s.gradNorm(), w.get("grad_norm").asDouble()));
        }
        double paramErr = maxParamError(g, after);
        System.out.printf("%s: loss rel %.3g, grad_norm rel %.3g, params abs %.3g%n", run, lossErr, normErr, paramErr);
        assertThat(lossErr).isLessThanOrEqualTo(tol.get("loss_rel").asDouble());
        assertThat(normErr).isLessThanOrEqualTo(tol.get("grad_norm_rel").asDouble());
        assertThat(paramErr).isLessThanOrEqualTo(tol.get("params_abs").asDouble());
        JsonNode fin = r.get("final_metrics");
        assertThat(out.globalStep()).isEqualTo(fin.get("global_step").asLong());
        assertThat(rel(out.trainingLoss(), fin.get("train_loss").asDouble())).isLessThanOrEqualTo(1e-4);
        assertThat(out.totalFlos()).isEqualTo(fin.get("total_flos").asDouble());
        assertThat(out.epoch()).isEqualTo(fin.get("epoch").asDouble());
    }

    static double maxParamError(Golden g, StateDict after) throws Exception {
        JsonNode pa = g.root().get("params_after");
        double err = 0;
        var names = pa.get("tensors").fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            float[] want = g.array(name);
            float[] got;
            if (name.startsWith("transformer.wte.weight[rows]")) {
                float[] wte = after.get("wte.weight").toArray();
                int c = after.get("wte.weight").shape()[1];
                int[] rows = Golden.ints(pa.get("wte_rows"));
                got = new float[rows.length * c];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(wte, rows[i] * c, got, i * c, c);
                }
            } else {
                got = after.get(name.substring("transformer.".length())).toArray();
            }
            assertThat(got).as(name).hasSameSizeAs(want);
            for (int i = 0; i < want.length; i++) {
                err = Math.max(err, Math.abs(got[i] - want[i]));
            }
        }
        return err;
    }

    static double rel(double got, double want) {
        return Math.abs(got - want) / Math.abs(want);
    }
}
