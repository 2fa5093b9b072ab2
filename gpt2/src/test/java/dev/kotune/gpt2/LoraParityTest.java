package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.LoraConfig;
import dev.kotune.checkpoint.PeftAdapter;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.testing.RepoFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 20 steps of the notebook's job as LoRA (r 8, alpha 16, c_attn/c_proj/c_fc) with HF PEFT 0.21 + Trainer vs ours, from
 * the same adapter initialisation and data order (goldens/peft, made by {@code conformance/peft_oracle.py train}):
 * loss, grad_norm and lr per step, the final adapter, the adapted logits, and {@code merge_and_unload}.
 */
class LoraParityTest {

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_notebook", "lora_random_init"})
    void twentyStepsMatchPeftAndMergeEqualsUnmerged(String run) throws Exception {
        Golden g = Golden.load("peft/" + run + ".json");
        JsonNode r = g.root();
        JsonNode tol = r.get("tolerances");
        JsonNode lc = r.get("lora");
        List<String> targets = new ArrayList<>();
        lc.get("target_modules").forEach(t -> targets.add(t.asText()));
        LoraConfig config = LoraConfig.of(
                lc.get("r").asInt(),
                lc.get("lora_alpha").asDouble(),
                lc.get("lora_dropout").asDouble(),
                targets);
        assertThat(config.scaling()).isEqualTo(lc.get("scaling").asDouble());
        List<TrainingExample> data = TrainerFixtures.examples(r.get("data"));
        TrainingArguments args = args(r);
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        Batch batch = batch(r.get("data"));
        List<StepEvent> steps = new ArrayList<>();
        TrainOutput out;
        try (Gpt2Model model = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            assertThat(model.baseWeightsSha256())
                    .isEqualTo(r.get("base_weights_sha256").asText());
            model.addLora(config, adapter(g, "adapter_init"));
            assertThat(names(model.trainableParameters()))
                    .as("trainable = PEFT's trainable parameters, same order")
                    .containsExactlyElementsOf(peftNames(r.get("trainable_parameters")));
            Trainer trainer = new Trainer(model, args, TrainerFixtures.goldenOrder(r, data.size()));
            out = trainer.train(data, steps::add, () -> false);

            // per step: loss (the adapter's effect included), grad_norm over the adapter only, lr
            JsonNode want = r.get("steps");
            assertThat(steps).hasSize(want.size()).hasSize(20);
            double lossErr = 0;
            double normErr = 0;
            for (int i = 0; i < steps.size(); i++) {
                StepEvent s = steps.get(i);
                JsonNode w = want.get(i);
                assertThat(s.step()).isEqualTo(w.get("step").asLong());
                assertThat(s.learningRate())
                        .isCloseTo(w.get("learning_rate").asDouble(), org.assertj.core.data.Offset.offset(1e-15));
                lossErr = Math.max(
                        lossErr,
                        TrainerParityTest.rel(s.log().loss(), w.get("loss").asDouble()));
                normErr = Math.max(
                        normErr,
                        TrainerParityTest.rel(s.gradNorm(), w.get("grad_norm").asDouble()));
            }
            // the final adapter, every tensor
            StateDict after = model.adapterStateDict();
            double adapterErr = maxError(g, "adapter_final", after);
            double moved = maxError(g, "adapter_init", after);
            System.out.printf(
                    "%s: loss rel %.3g, grad_norm rel %.3g, adapter abs %.3g (moved %.3g from init)%n",
                    run, lossErr, normErr, adapterErr, moved);
            assertThat(lossErr).isLessThanOrEqualTo(tol.get("loss_rel").asDouble());
            assertThat(normErr).isLessThanOrEqualTo(tol.get("grad_norm_rel").asDouble());
            assertThat(adapterErr).isLessThanOrEqualTo(tol.get("adapter_abs").asDouble());
            assertThat(moved)
                    .as("training moved the adapter well beyond the tolerance")
                    .isGreaterThan(1e-4);
            JsonNode fin = r.get("final_metrics");
            assertThat(out.globalStep()).isEqualTo(fin.get("global_step").asLong());
            assertThat(TrainerParityTest.rel(
                            out.trainingLoss(), fin.get("train_loss").asDouble()))
                    .isLessThanOrEqualTo(1e-4);
            assertThat(out.totalFlos()).isEqualTo(fin.get("total_flos").asDouble());

            // the base is frozen: bit-identical after 20 steps
            assertThat(model.stateDict().differences(ck.weights())).isEmpty();

            // adapted logits vs PEFT's, then merge_and_unload vs the unmerged path
            float[] unmerged = model.logits(batch);
            double logitErr = logitsError(g, "unmerged_logits", unmerged, batch);
            double base = maxDiffValid(unmerged, baseLogits(ck, batch), batch);
            writeForPythonCheck(run, model, batch, unmerged);
            model.mergeAndUnload();
            assertThat(model.lora()).isEmpty();
            float[] merged = model.logits(batch);
            double mergeErr = maxDiffValid(merged, unmerged, batch);
            double mergedVsPeft = logitsError(g, "merged_logits", merged, batch);
            double mergedW = 0;
            for (var it = r.get("merged_weights").fieldNames(); it.hasNext(); ) {
                String n = it.next();
                float[] w = g.array("merged." + n);
                float[] got = model.stateDict()
                        .get(n.substring("transformer.".length()))
                        .toArray();
                for (int i = 0; i < w.length; i++) {
                    mergedW = Math.max(mergedW, Math.abs(w[i] - got[i]));
                }
            }
            System.out.printf(
                    "%s: logits vs PEFT %.3g (adapter moves them %.3g from the base), merged vs unmerged %.3g, "
                            + "merged vs PEFT merged %.3g, merged weights %.3g%n",
                    run, logitErr, base, mergeErr, mergedVsPeft, mergedW);
            assertThat(logitErr).isLessThanOrEqualTo(tol.get("logits_abs").asDouble());
            assertThat(base)
                    .as("the adapter changes the logits")
                    .isGreaterThan(tol.get("logits_abs").asDouble());
            assertThat(mergeErr).isLessThanOrEqualTo(1e-4);
            assertThat(mergedVsPeft).isLessThanOrEqualTo(tol.get("logits_abs").asDouble());
            assertThat(mergedW).isLessThanOrEqualTo(tol.get("adapter_abs").asDouble());
        }
    }

    static TrainingArguments args(JsonNode r) {
        ObjectNode a = ((ObjectNode) r.get("training_args")).deepCopy();
        a.setAll((ObjectNode) r.get("training_args_resolved"));
        return TrainerFixtures.args(a);
    }

    /** The adapter tensors recorded under {@code field} (PEFT keys) as short names. */
    static StateDict adapter(Golden g, String field) throws Exception {
        StateDict sd = new StateDict(null);
        for (var it = g.root().get(field).fields(); it.hasNext(); ) {
            var e = it.next();
            int[] shape = Golden.ints(e.getValue().get("shape"));
            String prefix = field.equals("adapter_init") ? "init." : "final.";
            sd.put(shortName(e.getKey()), FloatTensor.of(shape, g.array(prefix + e.getKey())));
        }
        return sd;
    }

    static String shortName(String peftKey) {
        assertThat(peftKey).startsWith(PeftAdapter.KEY_PREFIX);
        return peftKey.substring(PeftAdapter.KEY_PREFIX.length());
    }

    /** PEFT's named_parameters names ({@code ...lora_A.default.weight}) as our short names. */
    static List<String> peftNames(JsonNode names) {
        List<String> out = new ArrayList<>();
        names.forEach(n -> out.add(shortName(n.asText().replace(".default.", "."))));
        return out;
    }

    static List<String> names(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }

    static double maxError(Golden g, String field, StateDict got) throws Exception {
        StateDict want = adapter(g, field);
        assertThat(got.names()).containsExactlyElementsOf(want.names());
        double err = 0;
        for (String n : want.names()) {
            float[] w = want.get(n).toArray();
            float[] a = got.get(n).toArray();
            assertThat(a).as(n).hasSameSizeAs(w);
            for (int i = 0; i < w.length; i++) {
                err = Math.max(err, Math.abs(w[i] - a[i]));
            }
        }
        return err;
    }

    static Batch batch(JsonNode data) {
        int b = data.get("input_ids").size();
        int t = data.get("input_ids").get(0).size();
        return new Batch(
                b,
                t,
                Golden.flatLongs(data.get("input_ids")),
                Golden.flatLongs(data.get("attention_mask")),
                null,
                Golden.flatLongs(data.get("labels")));
    }

    static float[] baseLogits(Checkpoint ck, Batch batch) {
        try (Gpt2Model m = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            return m.logits(batch);
        }
    }

    /** Max |logits - golden| over valid positions: the recorded columns and the logsumexp over the full vocab. */
    static double logitsError(Golden g, String field, float[] logits, Batch batch) throws Exception {
        JsonNode rec = g.root().get(field);
        int[] cols = Golden.ints(rec.get("columns"));
        String prefix = field.startsWith("merged") ? "merged." : "unmerged.";
        float[] want = g.array(prefix + "logits_columns");
        float[] lse = g.array(prefix + "logsumexp");
        int v = logits.length / (batch.batchSize() * batch.seqLen());
        double err = 0;
        int valid = 0;
        for (int p = 0; p < batch.batchSize() * batch.seqLen(); p++) {
            if (batch.attentionMask()[p] == 0) {
                continue;
            }
            valid++;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[p * v + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[p * v + j] - max);
            }
            err = Math.max(err, Math.abs(max + Math.log(sum) - lse[p]));
            for (int c = 0; c < cols.length; c++) {
                err = Math.max(err, Math.abs(logits[p * v + cols[c]] - want[p * cols.length + c]));
            }
        }
        assertThat(valid).isEqualTo(rec.get("valid_count").asInt());
        return err;
    }

    static double maxDiffValid(float[] a, float[] b, Batch batch) {
        int v = a.length / (batch.batchSize() * batch.seqLen());
        double err = 0;
        for (int p = 0; p < batch.batchSize() * batch.seqLen(); p++) {
            if (batch.attentionMask()[p] == 0) {
                continue;
            }
            for (int j = 0; j < v; j++) {
                err = Math.max(err, Math.abs(a[p * v + j] - b[p * v + j]));
            }
        }
        return err;
    }

    /**
     * The trained adapter in PEFT format plus the logits Java computed with it, for the by-hand Python check
     * ({@code conformance/peft_oracle.py check gpt2/target/peft-check/RUN/adapter}); also read back here.
     */
    private static void writeForPythonCheck(String run, Gpt2Model model, Batch batch, float[] logits) throws Exception {
        Path dir = Path.of("target", "peft-check", run);
        Files.createDirectories(dir);
        Path adapterDir = model.toPeftAdapter("conformance/models/tiny-kogpt2").write(dir.resolve("adapter"));
        PeftAdapter back = PeftAdapter.read(adapterDir);
        assertThat(back.config()).isEqualTo(model.lora().orElseThrow());
        assertThat(back.baseWeightsSha256()).isEqualTo(model.baseWeightsSha256());
        assertThat(back.weights().differences(model.adapterStateDict())).isEmpty();
        ByteBuffer buf = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(logits);
        Files.write(dir.resolve("java_logits.f32"), buf.array());
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = json.createObjectNode();
        meta.put("file", "java_logits.f32");
        meta.putArray("shape")
                .add(batch.batchSize())
                .add(batch.seqLen())
                .add(logits.length / (batch.batchSize() * batch.seqLen()));
        long[] ids = batch.inputIds();
        long[] mask = batch.attentionMask();
        var idRows = meta.putArray("input_ids");
        var maskRows = meta.putArray("attention_mask");
        for (int i = 0; i < batch.batchSize(); i++) {
            var ir = idRows.addArray();
            var mr = maskRows.addArray();
            for (int j = 0; j < batch.seqLen(); j++) {
                ir.add(ids[i * batch.seqLen() + j]);
                mr.add(mask[i * batch.seqLen() + j]);
            }
        }
        json.writeValue(dir.resolve("java_logits.json").toFile(), meta);
    }
}
