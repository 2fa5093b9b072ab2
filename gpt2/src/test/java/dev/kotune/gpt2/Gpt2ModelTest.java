package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Gpt2ModelTest {

    static final double LOGITS_TOL = 1e-4;

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    @Test
    void rightPaddedLogitsMatchTransformers() throws Exception {
        assertLogitsMatch("gpt2/logits_right_padded.json", "models/tiny-kogpt2");
    }

    @Test
    void leftPaddedLogitsWithCumsumPositionIdsMatchTransformers() throws Exception {
        assertLogitsMatch("gpt2/logits_left_padded.json", "models/tiny-kogpt2");
    }

    @Test
    void hfFakeGpt2LogitsMatchTransformers() throws Exception {
        Golden g = Golden.load("gpt2/fake_gpt2_logits.json");
        try (Gpt2Model m = Gpt2Model.load(Checkpoint.read(SharedData.require("hf-fake-gpt2")))) {
            double err = maxLogitsError(g, m);
            System.out.println("hf-fake-gpt2 logits max abs err " + err);
            assertThat(err).isLessThanOrEqualTo(LOGITS_TOL);
        }
    }

    @Test
    void rightPaddedLossWithLabelsMatchesTransformers() throws Exception {
        Golden g = Golden.load("gpt2/logits_right_padded.json");
        JsonNode r = g.root();
        long[] mask = Golden.flatLongs(r.get("attention_mask"));
        long[] ids = Golden.flatLongs(r.get("input_ids"));
        long[] labels = ids.clone();
        for (int i = 0; i < labels.length; i++) {
            if (mask[i] == 0) {
                labels[i] = Batch.IGNORE;
            }
        }
        int b = r.get("input_ids").size();
        int t = r.get("input_ids").get(0).size();
        try (Gpt2Model m = Gpt2Model.load(Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2")))) {
            double loss = m.loss(new Batch(b, t, ids, mask, null, labels));
            double want = r.get("loss_with_labels").get("loss").asDouble();
            System.out.println("right-padded loss rel err " + Math.abs(loss - want) / want);
            assertThat(Math.abs(loss - want) / want).isLessThanOrEqualTo(1e-5);
        }
    }

    private static void assertLogitsMatch(String golden, String model) throws Exception {
        Golden g = Golden.load(golden);
        try (Gpt2Model m = Gpt2Model.load(Checkpoint.read(RepoFiles.conformance(model)))) {
            double err = maxLogitsError(g, m);
            System.out.println(golden + " logits max abs err " + err);
            assertThat(err).isLessThanOrEqualTo(LOGITS_TOL);
        }
    }

    /** Max |ours - HF| over the golden's vocab columns at every valid position and the full last-valid rows. */
    static double maxLogitsError(Golden g, Gpt2Model m) throws Exception {
        JsonNode r = g.root();
        int b = r.get("input_ids").size();
        int t = r.get("input_ids").get(0).size();
        long[] ids = Golden.flatLongs(r.get("input_ids"));
        long[] mask = Golden.flatLongs(r.get("attention_mask"));
        long[] pos = r.has("position_ids") ? Golden.flatLongs(r.get("position_ids")) : null;
        int v = m.config().vocabSize();
        float[] logits = m.logits(new Batch(b, t, ids, mask, pos, null));
        int[] cols = Golden.ints(r.get("columns"));
        double err = 0;
        int checked = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i * t + j] == 0) {
                    continue;
                }
                JsonNode want = r.get("logits_columns").get(i).get(j);
                for (int c = 0; c < cols.length; c++) {
                    err = Math.max(
                            err,
                            Math.abs(logits[(i * t + j) * v + cols[c]]
                                    - want.get(c).floatValue()));
                    checked++;
                }
                int argmax = 0;
                for (int c = 1; c < v; c++) {
                    if (logits[(i * t + j) * v + c] > logits[(i * t + j) * v + argmax]) {
                        argmax = c;
                    }
                }
                assertThat(argmax)
                        .as("argmax row %d pos %d", i, j)
                        .isEqualTo(r.get("argmax").get(i).get(j).asInt());
            }
        }
        float[] last = g.array("last_valid_logits");
        int[] lastIdx = Golden.ints(r.get("last_valid_index"));
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < v; c++) {
                err = Math.max(err, Math.abs(logits[(i * t + lastIdx[i]) * v + c] - last[i * v + c]));
            }
        }
        assertThat(checked).isGreaterThan(100);
        return err;
    }
}
