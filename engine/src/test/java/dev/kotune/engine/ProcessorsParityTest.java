package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.engine.process.LogitsProcessor;
import dev.kotune.engine.process.LogitsProcessors;
import dev.kotune.engine.process.MinNewTokensProcessor;
import dev.kotune.engine.process.NoRepeatNGramProcessor;
import dev.kotune.engine.process.RepetitionPenaltyProcessor;
import dev.kotune.engine.process.TemperatureProcessor;
import dev.kotune.engine.process.TopKProcessor;
import dev.kotune.engine.process.TopPProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Each logits processor, alone and chained in generate()'s order for the notebook's sampling settings, rewrites
 * recorded raw scores exactly as transformers does (goldens/gpt2/processors.json): the same -inf set, the same
 * changed ids, values within 1e-6 relative, the same top-64 order and final probabilities within 1e-6.
 */
class ProcessorsParityTest {

    static final double REL = 1e-6;
    static double maxValueErr;
    static double maxProbErr;

    @AfterAll
    static void report() {
        System.out.printf(
                "[processors] max relative value error %.3g, max prob error %.3g (tol %.0e)%n",
                maxValueErr, maxProbErr, REL);
    }

    /** Processors by golden name; min_new_tokens counts from the prompt of step 0 (9 tokens). */
    private static Map<String, Supplier<LogitsProcessor>> singles() {
        Map<String, Supplier<LogitsProcessor>> m = new LinkedHashMap<>();
        m.put("repetition_penalty_1.2", () -> new RepetitionPenaltyProcessor(1.2));
        m.put("repetition_penalty_1.5", () -> new RepetitionPenaltyProcessor(1.5));
        m.put("no_repeat_ngram_2", () -> new NoRepeatNGramProcessor(2));
        m.put("no_repeat_ngram_3", () -> new NoRepeatNGramProcessor(3));
        m.put("min_new_tokens_4_eos_1", () -> new MinNewTokensProcessor(4, new int[] {1}));
        m.put("temperature_0.3", () -> new TemperatureProcessor(0.3));
        m.put("top_k_50", () -> new TopKProcessor(50));
        m.put("top_p_0.9", () -> new TopPProcessor(0.9));
        return m;
    }

    @Test
    void eachProcessorMatchesTransformers() throws Exception {
        JsonNode g = TestModels.golden("gpt2/processors.json");
        int promptLength = g.get("records").get(0).get("input_ids").size();
        int checked = 0;
        for (JsonNode rec : g.get("records")) {
            float[] raw = TestModels.array(g, "gpt2", arrayName(g, rec));
            int[] ids = TestModels.ints(rec.get("input_ids"));
            TokenSequence seq = TokenSequence.withHistory(ids, 0, promptLength);
            for (Map.Entry<String, Supplier<LogitsProcessor>> e : singles().entrySet()) {
                float[] y = raw.clone();
                e.getValue().get().process(seq, y);
                assertSparse(
                        rec.get("name").asText() + " " + e.getKey(),
                        rec.get("singles").get(e.getKey()),
                        raw,
                        y);
                checked++;
            }
            int[] padded = TestModels.ints(rec.get("left_padded_input_ids"));
            float[] ignored = raw.clone();
            new RepetitionPenaltyProcessor(1.2).process(TokenSequence.withHistory(padded, 2, padded.length), ignored);
            assertSparse(
                    rec.get("name").asText() + " left pad ignored",
                    rec.get("singles").get("repetition_penalty_1.2_left_pad_ignored"),
                    raw,
                    ignored);
            float[] counted = raw.clone();
            new RepetitionPenaltyProcessor(1.2).process(TokenSequence.withHistory(padded, 0, padded.length), counted);
            assertSparse(
                    rec.get("name").asText() + " left pad counted",
                    rec.get("singles").get("repetition_penalty_1.2_left_pad_counted"),
                    raw,
                    counted);
            checked += 2;
        }
        assertThat(checked).isEqualTo(4 * 10);
    }

    @Test
    void chainInGenerateOrderMatchesTransformersStepByStep() throws Exception {
        JsonNode g = TestModels.golden("gpt2/processors.json");
        assertThat(g.get("generate_processor_list_for_notebook_sampling")
                        .get("classes")
                        .toString())
                .isEqualTo("[\"RepetitionPenaltyLogitsProcessor\",\"NoRepeatNGramLogitsProcessor\","
                        + "\"TemperatureLogitsWarper\",\"TopKLogitsWarper\",\"TopPLogitsWarper\"]");
        SamplingParams notebook = SamplingParams.builder()
                .doSample(true)
                .temperature(0.3)
                .topP(0.9)
                .repetitionPenalty(1.2)
                .noRepeatNgramSize(2)
                .build();
        List<LogitsProcessor> chain =
                LogitsProcessors.of(notebook, new int[] {1}).processors();
        assertThat(chain)
                .extracting(p -> p.getClass().getSimpleName())
                .containsExactly(
                        "RepetitionPenaltyProcessor",
                        "NoRepeatNGramProcessor",
                        "TemperatureProcessor",
                        "TopKProcessor",
                        "TopPProcessor");
        int promptLength = g.get("records").get(0).get("input_ids").size();
        for (JsonNode rec : g.get("records")) {
            float[] x = TestModels.array(g, "gpt2", arrayName(g, rec));
            TokenSequence seq = TokenSequence.withHistory(TestModels.ints(rec.get("input_ids")), 0, promptLength);
            for (int i = 0; i < chain.size(); i++) {
                float[] y = x.clone();
                chain.get(i).process(seq, y);
                JsonNode stage = rec.get("chain").get(i);
                assertSparse(
                        rec.get("name").asText() + " chain "
                                + stage.get("processor").asText(),
                        stage,
                        x,
                        y);
                x = y;
            }
            double[] probs = softmax(x);
            JsonNode fp = rec.get("final_probs");
            assertThat(IntStream.range(0, probs.length)
                            .filter(v -> probs[v] > 0)
                            .count())
                    .isEqualTo(fp.get("num_nonzero").asLong());
            for (int k = 0; k < fp.get("ids").size(); k++) {
                double err = Math.abs(probs[fp.get("ids").get(k).asInt()]
                        - fp.get("probs").get(k).asDouble());
                maxProbErr = Math.max(maxProbErr, err);
                assertThat(err)
                        .as("final prob of %d", fp.get("ids").get(k).asInt())
                        .isLessThanOrEqualTo(REL);
            }
        }
    }

    private static String arrayName(JsonNode g, JsonNode rec) {
        return rec.get("name").asText() + ".raw_scores";
    }

    /** Compares our output {@code y} (given input {@code x}) with oracle.py's sparse description of HF's output. */
    private static void assertSparse(String what, JsonNode want, float[] x, float[] y) {
        List<Integer> negInf = new ArrayList<>();
        List<Integer> finite = new ArrayList<>();
        List<Integer> changed = new ArrayList<>();
        float minFinite = Float.POSITIVE_INFINITY;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == Float.NEGATIVE_INFINITY) {
                negInf.add(i);
            } else {
                finite.add(i);
                minFinite = Math.min(minFinite, y[i]);
                if (y[i] != x[i]) {
                    changed.add(i);
                }
            }
        }
        assertThat(negInf.size())
                .as(what + ": -inf count")
                .isEqualTo(want.get("num_neg_inf").asInt());
        if (!want.get("neg_inf_ids").isNull()) {
            assertThat(negInf).as(what + ": -inf ids").isEqualTo(list(want.get("neg_inf_ids")));
        }
        if (!want.get("finite_ids").isNull()) {
            assertThat(finite).as(what + ": finite ids").isEqualTo(list(want.get("finite_ids")));
        }
        close(what + ": min finite", minFinite, want.get("min_finite_value").asDouble());
        List<Integer> top = finite.stream()
                .sorted((a, b) -> y[a] != y[b] ? Float.compare(y[b], y[a]) : a - b)
                .limit(want.get("top_ids").size())
                .toList();
        assertThat(top).as(what + ": top ids").isEqualTo(list(want.get("top_ids")));
        for (int k = 0; k < top.size(); k++) {
            close(
                    what + ": top value " + k,
                    y[top.get(k)],
                    want.get("top_values").get(k).asDouble());
        }
        assertThat(changed.size())
                .as(what + ": changed count")
                .isEqualTo(want.get("changed_finite_count").asInt());
        if (want.has("changed_ids") && !want.get("changed_ids").isNull()) {
            assertThat(changed).as(what + ": changed ids").isEqualTo(list(want.get("changed_ids")));
            for (int k = 0; k < changed.size(); k++) {
                close(
                        what + ": changed value",
                        y[changed.get(k)],
                        want.get("changed_values").get(k).asDouble());
            }
        }
    }

    private static void close(String what, double got, double want) {
        double err = Math.abs(got - want) / Math.max(1.0, Math.abs(want));
        maxValueErr = Math.max(maxValueErr, err);
        assertThat(err).as(what + " (got " + got + ", want " + want + ")").isLessThanOrEqualTo(REL);
    }

    private static List<Integer> list(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asInt()));
        return out;
    }

    private static double[] softmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
