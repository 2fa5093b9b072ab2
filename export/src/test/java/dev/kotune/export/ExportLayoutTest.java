package dev.kotune.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.checkpoint.AtomicDirectory;
import dev.kotune.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an export directory holds: Optimum's I/O layout, metadata_props equal to the sidecar kotune.json,
 * genai_config.json consistent with config.json, the tokenizer with its sha256; atomic replacement; external data.
 */
class ExportLayoutTest {

    static final String KOGPT2_TOKENIZER_SHA256 = "e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f";

    @TempDir
    Path tmp;

    @Test
    void exportHoldsModelMetadataGenAiConfigAndTokenizer() throws Exception {
        Path tokenizer = SharedData.require("kogpt2/tokenizer.json");
        ExportResult r = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("out"))
                .withTokenizer(tokenizer)
                .withJob("job-42", 20L));
        Path dir = r.dir();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(
                            "config.json",
                            "genai_config.json",
                            "generation_config.json",
                            "kotune.json",
                            "model.onnx",
                            "tokenizer.json");
        }
        assertThat(r.tokenizerSha256())
                .isEqualTo(KOGPT2_TOKENIZER_SHA256)
                .isEqualTo(OnnxExporter.sha256(dir.resolve("tokenizer.json")));
        assertThat(r.flavour()).isEqualTo(GraphFlavour.DEFAULT);
        assertThat(r.externalData()).isFalse();

        JsonNode sidecar = Goldens.MAPPER.readTree(dir.resolve("kotune.json").toFile());
        assertThat(sidecar.get("tokenizer_sha256").asText()).isEqualTo(KOGPT2_TOKENIZER_SHA256);
        assertThat(sidecar.get("job_id").asText()).isEqualTo("job-42");
        assertThat(sidecar.get("step").asLong()).isEqualTo(20);
        assertThat(sidecar.get("source").asText())
                .isEqualTo(Goldens.tinyModel().toAbsolutePath().normalize().toString());
        assertThat(sidecar.get("config").get("n_layer").asInt()).isEqualTo(3);
        assertThat(sidecar.get("onnx").get("flavour").asText()).isEqualTo(GraphFlavour.DEFAULT.id());
        assertThat(sidecar.get("onnx").get("opset").asInt()).isEqualTo(20);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(r.model().toString(), new OrtSession.SessionOptions())) {
            Map<String, String> props = s.getMetadata().getCustomMetadata();
            assertThat(Goldens.MAPPER.readTree(props.get("kotune.json"))).isEqualTo(sidecar);
            assertThat(props)
                    .containsEntry("kotune.tokenizer_sha256", KOGPT2_TOKENIZER_SHA256)
                    .containsEntry("kotune.job_id", "job-42")
                    .containsEntry("kotune.step", "20")
                    .containsEntry("kotune.source", sidecar.get("source").asText());
            assertThat(Goldens.MAPPER.readTree(props.get("kotune.config"))).isEqualTo(sidecar.get("config"));
            assertThat(s.getMetadata().getProducerName()).isEqualTo("kotune-export");

            Map<String, NodeInfo> in = s.getInputInfo();
            assertThat(in.keySet())
                    .containsExactly(
                            "input_ids",
                            "attention_mask",
                            "position_ids",
                            "past_key_values.0.key",
                            "past_key_values.0.value",
                            "past_key_values.1.key",
                            "past_key_values.1.value",
                            "past_key_values.2.key",
                            "past_key_values.2.value",
                            "logits_to_keep");
            assertThat(shape(in.get("logits_to_keep"))).containsExactly(1);
            assertThat(shape(in.get("past_key_values.1.value"))).containsExactly(-1, 3, -1, 16);
            assertThat(((TensorInfo) in.get("input_ids").getInfo()).type.name()).isEqualTo("INT64");
            assertThat(((TensorInfo) in.get("attention_mask").getInfo()).type.name())
                    .isEqualTo("INT64");
            Map<String, NodeInfo> out = s.getOutputInfo();
            assertThat(out.keySet())
                    .containsExactly(
                            "logits",
                            "present.0.key",
                            "present.0.value",
                            "present.1.key",
                            "present.1.value",
                            "present.2.key",
                            "present.2.value");
            assertThat(shape(out.get("logits"))).containsExactly(-1, -1, 51200);
        }

        JsonNode genai =
                Goldens.MAPPER.readTree(dir.resolve("genai_config.json").toFile());
        JsonNode config = Goldens.MAPPER.readTree(dir.resolve("config.json").toFile());
        JsonNode dec = genai.get("model").get("decoder");
        assertThat(dec.get("filename").asText()).isEqualTo("model.onnx");
        assertThat(dec.get("num_hidden_layers").asInt())
                .isEqualTo(config.get("n_layer").asInt());
        assertThat(dec.get("num_attention_heads").asInt())
                .isEqualTo(config.get("n_head").asInt());
        assertThat(dec.get("hidden_size").asInt())
                .isEqualTo(config.get("n_embd").asInt());
        assertThat(dec.get("head_size").asInt()).isEqualTo(16);
        assertThat(dec.get("inputs").get("past_key_names").asText()).isEqualTo("past_key_values.%d.key");
        assertThat(dec.get("outputs").get("present_value_names").asText()).isEqualTo("present.%d.value");
        assertThat(genai.get("model").get("eos_token_id").asInt()).isEqualTo(1);
        assertThat(genai.get("model").get("pad_token_id").asInt()).isEqualTo(3);
        assertThat(genai.get("model").get("context_length").asInt()).isEqualTo(128);
        assertThat(genai.get("model").get("vocab_size").asInt()).isEqualTo(51200);
        assertThat(genai.get("search").get("max_length").asInt()).isEqualTo(20);
        assertThat(genai.get("search").get("top_k").asInt()).isEqualTo(50);
    }

    @Test
    void logitsToKeepOneGivesTheLastPositionsLogitsAndCanBeLeftOutForGenAi() throws Exception {
        Path with = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("keep")))
                .model();
        Path without = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("optimum"))
                        .withLogitsToKeep(false))
                .model();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = {24454, 401, 9208, 6889, 8615};
        float[] all = lastLogits(env, without, ids, null); // (1, 5, V): the last row of it
        float[] kept = lastLogits(env, with, ids, 1L); // (1, 1, V)
        float[] every = lastLogits(env, with, ids, 0L); // (1, 5, V) again
        assertThat(kept).containsExactly(all, org.assertj.core.data.Offset.offset(1e-5f)); // an M=1 product
        assertThat(every).containsExactly(all);
        try (OrtSession s = env.createSession(without.toString(), new OrtSession.SessionOptions())) {
            assertThat(s.getInputNames()).doesNotContain("logits_to_keep");
        }
    }

    /** The last position's logits of one forward over {@code ids}; {@code keep} null: the input is not fed. */
    private static float[] lastLogits(OrtEnvironment env, Path model, long[] ids, Long keep) throws Exception {
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            Map<String, ai.onnxruntime.OnnxTensor> in = new java.util.HashMap<>();
            long[] shape = {1, ids.length};
            long[] pos = java.util.stream.LongStream.range(0, ids.length).toArray();
            long[] mask = new long[ids.length];
            java.util.Arrays.fill(mask, 1);
            in.put("input_ids", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(ids), shape));
            in.put(
                    "attention_mask",
                    ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(mask), shape));
            in.put("position_ids", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(pos), shape));
            if (keep != null) {
                in.put(
                        "logits_to_keep",
                        ai.onnxruntime.OnnxTensor.createTensor(
                                env, java.nio.LongBuffer.wrap(new long[] {keep}), new long[] {1}));
            }
            for (int i = 0; i < 3; i++) {
                for (String kv : new String[] {"key", "value"}) {
                    in.put(
                            "past_key_values." + i + "." + kv,
                            ai.onnxruntime.OnnxTensor.createTensor(
                                    env, java.nio.FloatBuffer.allocate(0), new long[] {1, 3, 0, 16}));
                }
            }
            try (OrtSession.Result r = s.run(in)) {
                float[][][] logits = (float[][][]) r.get("logits").get().getValue();
                return logits[0][logits[0].length - 1];
            } finally {
                in.values().forEach(ai.onnxruntime.OnnxTensor::close);
            }
        }
    }

    @Test
    void reExportReplacesTheDirectoryAndLeavesNoTemporaries() throws Exception {
        Path out = tmp.resolve("out");
        OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), out).withFlavour(GraphFlavour.PLAIN));
        Files.writeString(out.resolve("stale.txt"), "from an older export");
        OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), out).withFlavour(GraphFlavour.FUSED));
        assertThat(out.resolve("stale.txt")).doesNotExist();
        assertThat(Files.readString(out.resolve("kotune.json"))).contains("\"flavour\" : \"fused\"");
        assertThat(siblings()).containsExactly("out");
    }

    @Test
    void failedExportLeavesNoHalfDirectory() throws Exception {
        Path broken = tmp.resolve("broken-checkpoint");
        Files.createDirectories(broken);
        Files.copy(Goldens.tinyModel().resolve("config.json"), broken.resolve("config.json"));
        byte[] weights = Files.readAllBytes(Goldens.tinyModel().resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2)); // truncated
        assertThatThrownBy(() -> OnnxExporter.export(ExportOptions.of(broken, tmp.resolve("out"))))
                .isInstanceOf(IOException.class);
        assertThat(tmp.resolve("out")).doesNotExist();
        assertThat(siblings()).containsExactly("broken-checkpoint");
    }

    @Test
    void failureWhileWritingKeepsThePreviousExportAndRemovesTheTemporary() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("model.onnx"), "previous");
        assertThatThrownBy(() -> AtomicDirectory.write(out, dir -> {
                    Files.writeString(dir.resolve("model.onnx"), "half");
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");
        assertThat(Files.readString(out.resolve("model.onnx"))).isEqualTo("previous");
        assertThat(siblings()).containsExactly("out");
    }

    @Test
    void weightsAboveTheThresholdGoToExternalDataWithIdenticalLogits() throws Exception {
        ExportResult inline = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("inline")));
        ExportResult external = OnnxExporter.export(
                ExportOptions.of(Goldens.tinyModel(), tmp.resolve("external")).withExternalThreshold(1_000_000));
        assertThat(external.externalData()).isTrue();
        assertThat(external.dir().resolve("model.onnx.data")).exists();
        assertThat(Files.size(external.model())).isLessThan(200_000);
        assertThat(Files.size(external.dir().resolve("model.onnx.data")))
                .isGreaterThan(Files.size(inline.model()) - 200_000);
        assertThat(Goldens.MAPPER
                        .readTree(external.dir().resolve("kotune.json").toFile())
                        .get("onnx")
                        .get("external_data")
                        .asBoolean())
                .isTrue();
        long[][] ids = {{24454, 401, 9208, 6889, 8615}};
        long[][] mask = {{1, 1, 1, 1, 1}};
        long[][] pos = {{0, 1, 2, 3, 4}};
        try (OrtDecoder a = new OrtDecoder(inline.model(), 3, 3, 16, 51200);
                OrtDecoder b = new OrtDecoder(external.model(), 3, 3, 16, 51200)) {
            assertThat(b.run(ids, mask, pos, null, null, 0).logits())
                    .isEqualTo(a.run(ids, mask, pos, null, null, 0).logits());
        }
    }

    @Test
    void tokenizerOfAnotherTrainingIsRejected() throws Exception {
        Path ckpt = tmp.resolve("ckpt");
        Files.createDirectories(ckpt);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Goldens.tinyModel().resolve(f), ckpt.resolve(f));
        }
        Files.writeString(
                ckpt.resolve("kotune.json"),
                "{\"format_version\": 1, \"config\": "
                        + Files.readString(ckpt.resolve("config.json")) + ", \"tokenizer_sha256\": \"" + "0".repeat(64)
                        + "\", \"source\": \"test\", \"job_id\": null, \"step\": 3, \"metrics\": {}}");
        assertThatThrownBy(() -> OnnxExporter.export(ExportOptions.of(ckpt, tmp.resolve("out"))
                        .withTokenizer(SharedData.require("kogpt2/tokenizer.json"))))
                .hasMessageContaining("was trained with " + "0".repeat(64))
                .hasMessageContaining("--tokenizer");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long[] shape(NodeInfo n) {
        return ((TensorInfo) n.getInfo()).getShape();
    }
}
