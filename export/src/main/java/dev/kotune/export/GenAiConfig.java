package dev.kotune.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.export.gpt2.OnnxNames;

/**
 * {@code genai_config.json} for ONNX Runtime GenAI: model shape, special ids, context length,
 * decoder file and I/O name patterns, and {@code search} defaults taken from the checkpoint's
 * {@code generation_config.json} where it sets them, else transformers' defaults (max_length 20, greedy, top_k 50,
 * top_p 1, temperature 1, repetition_penalty 1, no_repeat_ngram_size 0).
 *
 * <p>{@code type} is {@value #GENAI_TYPE}, not "gpt2": ORT GenAI 0.18's "gpt2" type drives the old combined
 * {@code past_%d} tensors of onnxruntime's convert_to_onnx, while its generic decoder path (used for the "llama"
 * type) drives Optimum's separate {@code past_key_values.%d.key/value} with {@code attention_mask} and
 * {@code position_ids} — our layout (verified with {@code oracle.py check-onnx}). Stateless, thread-safe.
 */
public final class GenAiConfig {

    /** The ORT GenAI model type whose code path matches Optimum's decoder-with-past layout. */
    public static final String GENAI_TYPE = "llama";

    private GenAiConfig() {}

    /**
     * @param generationConfig the checkpoint's generation_config.json, or null
     */
    public static ObjectNode of(GPT2Config c, String modelFile, JsonNode generationConfig) {
        ObjectNode root = ExportMetadata.MAPPER.createObjectNode();
        ObjectNode model = root.putObject("model");
        putId(model, "bos_token_id", c.bosTokenId());
        model.put("context_length", c.nPositions());
        ObjectNode dec = model.putObject("decoder");
        ObjectNode so = dec.putObject("session_options");
        so.put("log_id", "onnxruntime-genai");
        so.putArray("provider_options");
        dec.put("filename", modelFile);
        dec.put("head_size", c.headSize());
        dec.put("hidden_size", c.nEmbd());
        ObjectNode in = dec.putObject("inputs");
        in.put("input_ids", OnnxNames.INPUT_IDS);
        in.put("attention_mask", OnnxNames.ATTENTION_MASK);
        in.put("position_ids", OnnxNames.POSITION_IDS);
        in.put("past_key_names", OnnxNames.PAST_KEY);
        in.put("past_value_names", OnnxNames.PAST_VALUE);
        ObjectNode out = dec.putObject("outputs");
        out.put("logits", OnnxNames.LOGITS);
        out.put("present_key_names", OnnxNames.PRESENT_KEY);
        out.put("present_value_names", OnnxNames.PRESENT_VALUE);
        dec.put("num_attention_heads", c.nHead());
        dec.put("num_hidden_layers", c.nLayer());
        dec.put("num_key_value_heads", c.nHead());
        putId(model, "eos_token_id", c.eosTokenId());
        putId(model, "pad_token_id", c.padTokenId() != null ? c.padTokenId() : c.eosTokenId());
        model.put("type", GENAI_TYPE);
        model.put("vocab_size", c.vocabSize());

        JsonNode gen = generationConfig == null ? ExportMetadata.MAPPER.createObjectNode() : generationConfig;
        ObjectNode s = root.putObject("search");
        s.put("diversity_penalty", 0.0);
        s.put("do_sample", gen.path("do_sample").asBoolean(false));
        s.put("early_stopping", true);
        s.put("length_penalty", 1.0);
        s.put("max_length", gen.path("max_length").asInt(20));
        s.put("min_length", gen.path("min_length").asInt(0));
        s.put("no_repeat_ngram_size", gen.path("no_repeat_ngram_size").asInt(0));
        s.put("num_beams", 1);
        s.put("num_return_sequences", 1);
        s.put("past_present_share_buffer", false);
        s.put("repetition_penalty", gen.path("repetition_penalty").asDouble(1.0));
        s.put("temperature", gen.path("temperature").asDouble(1.0));
        s.put("top_k", gen.path("top_k").asInt(50));
        s.put("top_p", gen.path("top_p").asDouble(1.0));
        return root;
    }

    private static void putId(ObjectNode o, String k, Integer v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }
}
