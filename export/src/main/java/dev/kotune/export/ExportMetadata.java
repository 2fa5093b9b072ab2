package dev.kotune.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.checkpoint.KotuneMetadata;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an export describes itself: the checkpoint's {@code kotune.json} fields (config, tokenizer sha256, source,
 * job id, step, metrics) plus an {@code onnx} object (file, flavour, opsets, IR version, external data), written
 * both as the sidecar {@code kotune.json} and as ONNX {@code metadata_props} ({@code kotune.config},
 * {@code kotune.tokenizer_sha256}, ..., and the whole sidecar under {@code kotune.json}), so ORT's
 * {@code OnnxModelMetadata.getCustomMetadata()} sees the same values. Immutable, thread-safe.
 *
 * @param checkpoint the checkpoint-level fields
 * @param onnx       the export-level fields
 */
public record ExportMetadata(KotuneMetadata checkpoint, OnnxInfo onnx) {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Key prefix of every {@code metadata_props} entry kotune writes. */
    public static final String PREFIX = "kotune.";

    /**
     * @param file         e.g. "model.onnx"
     * @param flavour      e.g. "fused"
     * @param opset        default-domain opset, e.g. 20
     * @param msOpset      com.microsoft opset, e.g. 1; 0 when unused
     * @param irVersion    e.g. 10
     * @param externalData weights in model.onnx.data
     * @param producer     e.g. "kotune-export 0.1.0-SNAPSHOT"
     * @param quantization the weight quantization of a quantized flavour ({@code onnx.quantization}: scheme, bits,
     *                     block size, accuracy level, what is quantized); null for fp32
     */
    public record OnnxInfo(
            String file,
            String flavour,
            long opset,
            long msOpset,
            long irVersion,
            boolean externalData,
            String producer,
            WeightQuantization quantization) {}

    /** The sidecar {@code kotune.json}. */
    public ObjectNode toJson() {
        ObjectNode o = checkpoint.toJson();
        ObjectNode x = o.putObject("onnx");
        x.put("file", onnx.file());
        x.put("flavour", onnx.flavour());
        x.put(
                "layout",
                "optimum text-generation-with-past (input_ids, attention_mask, position_ids,"
                        + " past_key_values.{i}.key/value -> logits, present.{i}.key/value)");
        x.put("opset", onnx.opset());
        if (onnx.msOpset() > 0) {
            x.put("com.microsoft_opset", onnx.msOpset());
        }
        x.put("ir_version", onnx.irVersion());
        x.put("external_data", onnx.externalData());
        x.put("producer", onnx.producer());
        WeightQuantization q = onnx.quantization();
        if (q != null) {
            ObjectNode qn = x.putObject("quantization");
            qn.put("op", "com.microsoft::MatMulNBits");
            qn.put("scheme", "weight-only, symmetric, block-wise (zero point 128)");
            qn.put("bits", q.bits());
            qn.put("block_size", q.blockSize());
            qn.put("accuracy_level", q.accuracyLevel());
            qn.putArray("quantized")
                    .add("attn.c_attn")
                    .add("attn.c_proj")
                    .add("mlp.c_fc")
                    .add("mlp.c_proj");
            if (q.lmHead()) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) qn.get("quantized")).add("lm_head");
            }
        }
        return o;
    }

    /** {@code metadata_props}: one {@code kotune.<field>} per top-level field (objects as compact JSON), nulls left out. */
    public Map<String, String> toProps() {
        ObjectNode json = toJson();
        Map<String, String> props = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            props.put(PREFIX + e.getKey(), v.isValueNode() ? v.asText() : compact(v));
        }
        props.put(PREFIX + "json", compact(json));
        return props;
    }

    static String compact(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
