package dev.kotune.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.testing.SharedData;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exports conformance/models/tiny-kogpt2 in both flavours and checks ONNX Runtime's logits against the HF goldens
 * (oracle.py logits: right- and left-padded batches, tolerance 1e-4 abs on every valid position), and that
 * KV-cache decoding step by step equals full recomputation.
 */
class ExportParityTest {

    static final double TOL = 1e-4;
    // tiny-kogpt2: n_layer 3, n_head 3, n_embd 48, vocab 51200
    static final int LAYERS = 3;
    static final int HEADS = 3;
    static final int HEAD_SIZE = 16;
    static final int VOCAB = 51200;

    @TempDir
    static Path tmp;

    static final Map<GraphFlavour, OrtDecoder> decoders = new EnumMap<>(GraphFlavour.class);

    @BeforeAll
    static void export() throws Exception {
        for (GraphFlavour f : List.of(GraphFlavour.PLAIN, GraphFlavour.FUSED)) { // int8: Int8ExportTest
            ExportResult r = OnnxExporter.export(
                    ExportOptions.of(Goldens.tinyModel(), tmp.resolve(f.id())).withFlavour(f));
            decoders.put(f, new OrtDecoder(r.model(), LAYERS, HEADS, HEAD_SIZE, VOCAB));
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (OrtDecoder d : decoders.values()) {
            d.close();
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"PLAIN", "FUSED"})
    void rightPaddedLogitsMatchHf(GraphFlavour flavour) throws Exception {
        assertLogitsMatch(flavour, "gpt2/logits_right_padded.json");
    }

    @ParameterizedTest
    @EnumSource(names = {"PLAIN", "FUSED"})
    void leftPaddedLogitsMatchHf(GraphFlavour flavour) throws Exception {
        assertLogitsMatch(flavour, "gpt2/logits_left_padded.json");
    }

    /** A checkpoint transformers 4.36.2 wrote (transformer.-prefixed keys, vocab 50257, n_embd 2): export + HF logits. */
    @ParameterizedTest
    @EnumSource(names = {"PLAIN", "FUSED"})
    void hfWrittenFakeGpt2MatchesHf(GraphFlavour flavour) throws Exception {
        Path ckpt = SharedData.require("hf-fake-gpt2/config.json").getParent();
        ExportResult r = OnnxExporter.export(
                ExportOptions.of(ckpt, tmp.resolve("fake-" + flavour.id())).withFlavour(flavour));
        assertThat(r.dir().resolve("tokenizer.json")).exists();
        try (OrtDecoder d = new OrtDecoder(r.model(), 1, 1, 2, 50257)) {
            assertLogitsMatch(d, flavour.id(), "gpt2/fake_gpt2_logits.json", 50257);
        }
    }

    private void assertLogitsMatch(GraphFlavour flavour, String golden) throws Exception {
        assertLogitsMatch(decoders.get(flavour), flavour.id(), golden, VOCAB);
    }

    private void assertLogitsMatch(OrtDecoder decoder, String flavour, String golden, int vocab) throws Exception {
        JsonNode g = Goldens.json(golden);
        long[][] ids = Goldens.longs2(g.get("input_ids"));
        long[][] mask = Goldens.longs2(g.get("attention_mask"));
        long[][] pos =
                g.has("position_ids") ? Goldens.longs2(g.get("position_ids")) : arange(ids.length, ids[0].length);
        int b = ids.length;
        int t = ids[0].length;
        OrtDecoder.Step s = decoder.run(ids, mask, pos, null, null, 0);
        JsonNode columns = g.get("columns");
        double maxCol = 0;
        double maxLse = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue; // padded query rows are implementation-defined (goldens' "compare")
                }
                int row = (i * t + j) * vocab;
                for (int c = 0; c < columns.size(); c++) {
                    double want = g.get("logits_columns").get(i).get(j).get(c).doubleValue();
                    maxCol = Math.max(
                            maxCol, Math.abs(s.logits()[row + columns.get(c).asInt()] - want));
                }
                maxLse = Math.max(
                        maxLse,
                        Math.abs(logsumexp(s.logits(), row, vocab)
                                - g.get("logsumexp").get(i).get(j).doubleValue()));
                assertThat(argmax(s.logits(), row, vocab))
                        .as("argmax at [%d, %d]", i, j)
                        .isEqualTo(g.get("argmax").get(i).get(j).asInt());
            }
        }
        float[] last = Goldens.array(g, "last_valid_logits"); // (B, V)
        double maxLast = 0;
        for (int i = 0; i < b; i++) {
            int row = (i * t + g.get("last_valid_index").get(i).asInt()) * vocab;
            for (int v = 0; v < vocab; v++) {
                maxLast = Math.max(maxLast, Math.abs(s.logits()[row + v] - last[i * vocab + v]));
            }
        }
        System.out.printf(
                "[parity] %s %s: max|Δ| columns %.3g, logsumexp %.3g, last-valid full vocab %.3g (tol %.0e)%n",
                flavour, golden, maxCol, maxLse, maxLast, TOL);
        assertThat(maxCol).isLessThanOrEqualTo(TOL);
        assertThat(maxLse).isLessThanOrEqualTo(TOL);
        assertThat(maxLast).isLessThanOrEqualTo(TOL);
    }

    @ParameterizedTest
    @EnumSource(names = {"PLAIN", "FUSED"})
    void kvCacheDecodingEqualsFullRecomputation(GraphFlavour flavour) throws Exception {
        JsonNode g = Goldens.json("gpt2/logits_left_padded.json");
        long[][] ids = Goldens.longs2(g.get("input_ids"));
        long[][] mask = Goldens.longs2(g.get("attention_mask"));
        long[][] pos = Goldens.longs2(g.get("position_ids"));
        int b = ids.length;
        int t = ids[0].length;
        OrtDecoder d = decoders.get(flavour);
        OrtDecoder.Step full = d.run(ids, mask, pos, null, null, 0);
        int prefix = 14; // a prompt of 14 (row 1 and 2 still partly padded), then 7 single-token steps
        OrtDecoder.Step step = d.run(cols(ids, 0, prefix), cols(mask, 0, prefix), cols(pos, 0, prefix), null, null, 0);
        double max = maxDiff(step.logits(), 0, full.logits(), b, prefix, t, 0, mask);
        for (int j = prefix; j < t; j++) {
            step = d.run(
                    cols(ids, j, j + 1),
                    cols(mask, 0, j + 1),
                    cols(pos, j, j + 1),
                    step.presentK(),
                    step.presentV(),
                    j);
            max = Math.max(max, maxDiff(step.logits(), j, full.logits(), b, 1, t, j, mask));
        }
        System.out.printf("[parity] %s KV-cache steps vs full recomputation: max|Δ| %.3g%n", flavour.id(), max);
        assertThat(max).isLessThanOrEqualTo(1e-5);
    }

    @org.junit.jupiter.api.Test
    void plainAndFusedFlavoursAgree() throws Exception {
        JsonNode g = Goldens.json("gpt2/logits_left_padded.json");
        long[][] ids = Goldens.longs2(g.get("input_ids"));
        long[][] mask = Goldens.longs2(g.get("attention_mask"));
        long[][] pos = Goldens.longs2(g.get("position_ids"));
        float[] a = decoders.get(GraphFlavour.PLAIN)
                .run(ids, mask, pos, null, null, 0)
                .logits();
        float[] b = decoders.get(GraphFlavour.FUSED)
                .run(ids, mask, pos, null, null, 0)
                .logits();
        double max = maxDiff(a, 0, b, ids.length, ids[0].length, ids[0].length, 0, mask);
        System.out.printf("[parity] plain vs fused: max|Δ| %.3g%n", max);
        assertThat(max).isLessThanOrEqualTo(TOL);
    }

    /** Max |a - full| over valid rows; a is (B, n, V) for absolute positions from..from+n, full is (B, t, V). */
    private static double maxDiff(float[] a, int from, float[] full, int b, int n, int t, int fullFrom, long[][] mask) {
        double max = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                if (mask[i][from + j] == 0) {
                    continue;
                }
                int ra = (i * n + j) * VOCAB;
                int rf = (i * t + fullFrom + j) * VOCAB;
                for (int v = 0; v < VOCAB; v++) {
                    max = Math.max(max, Math.abs(a[ra + v] - full[rf + v]));
                }
            }
        }
        return max;
    }

    private static long[][] arange(int b, int t) {
        long[][] out = new long[b][t];
        for (long[] row : out) {
            for (int j = 0; j < t; j++) {
                row[j] = j;
            }
        }
        return out;
    }

    private static long[][] cols(long[][] a, int from, int to) {
        long[][] out = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(a[i], from, to);
        }
        return out;
    }

    private static double logsumexp(float[] x, int off, int vocab) {
        double m = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            m = Math.max(m, x[off + v]);
        }
        double s = 0;
        for (int v = 0; v < vocab; v++) {
            s += Math.exp(x[off + v] - m);
        }
        return m + Math.log(s);
    }

    private static int argmax(float[] x, int off, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (x[off + v] > x[off + best]) {
                best = v;
            }
        }
        return best;
    }
}
