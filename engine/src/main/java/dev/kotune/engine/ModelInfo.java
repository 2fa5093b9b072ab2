package dev.kotune.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the engine needs to know about an exported decoder. Shapes come from the ONNX graph itself (layers = number
 * of {@code past_key_values.*.key} inputs, heads and head size from their dims, vocab from {@code logits}); special
 * ids and context length from {@code genai_config.json}, else {@code config.json} / {@code generation_config.json}
 * (an Optimum export has those). Immutable, thread-safe.
 *
 * @param layers          e.g. 12
 * @param heads           e.g. 12
 * @param headSize        e.g. 64
 * @param vocabSize       e.g. 51200
 * @param contextLength   longest sequence (n_positions), e.g. 1024
 * @param eosTokenIds     e.g. [1]
 * @param padTokenId      e.g. 3, or null
 * @param hasPositionIds  whether the graph takes {@code position_ids}
 * @param metadata        the model's {@code metadata_props} (kotune.* keys for a kotune export)
 */
public record ModelInfo(
        int layers,
        int heads,
        int headSize,
        int vocabSize,
        int contextLength,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        boolean hasPositionIds,
        Map<String, String> metadata) {

    static final String PAST_KEY = "past_key_values.%d.key";
    static final String PAST_VALUE = "past_key_values.%d.value";
    static final String PRESENT_KEY = "present.%d.key";
    static final String PRESENT_VALUE = "present.%d.value";

    public ModelInfo {
        eosTokenIds = List.copyOf(eosTokenIds);
        metadata = Map.copyOf(metadata);
    }

    /**
     * Only the limits a request is checked against ({@link SamplingParams#problemsFor}): vocab size and context
     * length, e.g. from a model's kotune.json before its graph is loaded.
     */
    public static ModelInfo limits(int vocabSize, int contextLength) {
        return new ModelInfo(0, 0, 0, vocabSize, contextLength, List.of(), null, true, Map.of());
    }

    static ModelInfo read(OrtSession session, Path dir) throws OrtException, IOException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (String required : List.of("input_ids", "attention_mask")) {
            if (!inputs.containsKey(required)) {
                throw new IllegalArgumentException("model in " + dir + " has no '" + required + "' input; expected a"
                        + " decoder with past in Optimum's layout (export it with ./kotune export)");
            }
        }
        int layers = 0;
        while (inputs.containsKey(String.format(PAST_KEY, layers))) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException(
                    "model in " + dir + " has no past_key_values.0.key input: it was"
                            + " exported without KV cache; export with ./kotune export (or optimum --task text-generation-with-past)");
        }
        long[] kv = ((TensorInfo) inputs.get(String.format(PAST_KEY, 0)).getInfo()).getShape(); // (B, nH, P, hs)
        long[] logits = ((TensorInfo) session.getOutputInfo().get("logits").getInfo()).getShape(); // (B, T, V)
        JsonNode genai = json(dir.resolve("genai_config.json"));
        JsonNode config = json(dir.resolve("config.json"));
        JsonNode gen = json(dir.resolve("generation_config.json"));
        int context = genai.path("model")
                .path("context_length")
                .asInt(config.path("n_positions").asInt(1024));
        List<Integer> eos = ids(genai.path("model").path("eos_token_id"));
        if (eos.isEmpty()) {
            eos = ids(gen.path("eos_token_id"));
        }
        if (eos.isEmpty()) {
            eos = ids(config.path("eos_token_id"));
        }
        List<Integer> pad = ids(genai.path("model").path("pad_token_id"));
        if (pad.isEmpty()) {
            pad = ids(gen.path("pad_token_id"));
        }
        if (pad.isEmpty()) {
            pad = ids(config.path("pad_token_id"));
        }
        int vocab = logits.length == 3 && logits[2] > 0
                ? (int) logits[2]
                : config.path("vocab_size").asInt(-1);
        return new ModelInfo(
                layers,
                (int) kv[1],
                (int) kv[3],
                vocab,
                context,
                eos,
                pad.isEmpty() ? null : pad.get(0),
                inputs.containsKey("position_ids"),
                session.getMetadata().getCustomMetadata());
    }

    private static JsonNode json(Path file) throws IOException {
        return Files.isRegularFile(file)
                ? new ObjectMapper().readTree(file.toFile())
                : new ObjectMapper().createObjectNode();
    }

    private static List<Integer> ids(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n.isInt()) {
            out.add(n.asInt());
        } else if (n.isArray()) {
            n.forEach(x -> out.add(x.asInt()));
        }
        return out;
    }
}
