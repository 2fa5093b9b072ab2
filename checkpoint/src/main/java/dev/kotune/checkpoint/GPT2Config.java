package dev.kotune.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * GPT-2 hyper-parameters as Hugging Face's {@code config.json} names them ({@code model_type: "gpt2"}); missing fields
 * take transformers' {@code GPT2Config} defaults. Example values are KoGPT2-base's. Immutable, thread-safe.
 *
 * @param vocabSize                  token count, e.g. 51200
 * @param nPositions                 longest sequence, e.g. 1024
 * @param nEmbd                      hidden size C, e.g. 768
 * @param nLayer                     blocks, e.g. 12
 * @param nHead                      attention heads, e.g. 12 (head size C / nHead = 64)
 * @param nInner                     MLP width or {@code null} for 4·C, e.g. null (→ 3072)
 * @param activationFunction         e.g. "gelu_new"
 * @param residPdrop                 dropout after attention/MLP projections, e.g. 0.1
 * @param embdPdrop                  dropout after the embeddings, e.g. 0.1
 * @param attnPdrop                  dropout on attention probabilities, e.g. 0.1
 * @param layerNormEpsilon           e.g. 1e-5
 * @param initializerRange           std of the normal init, e.g. 0.02
 * @param scaleAttnWeights           divide scores by √head_size, e.g. true
 * @param scaleAttnByInverseLayerIdx additionally divide by (layer index + 1), e.g. false
 * @param reorderAndUpcastAttn       fp16 detail (no effect in fp32), e.g. false
 * @param bosTokenId                 e.g. 0 (KoGPT2 {@code <s>}); may be null
 * @param eosTokenId                 e.g. 1 (KoGPT2 {@code </s>}); may be null
 * @param padTokenId                 e.g. 3 (KoGPT2 {@code <pad>}); may be null
 * @param tieWordEmbeddings          lm_head shares wte, e.g. true
 * @param extra                      every other key of the file, written back unchanged (e.g. task_specific_params)
 */
public record GPT2Config(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        Integer nInner,
        String activationFunction,
        double residPdrop,
        double embdPdrop,
        double attnPdrop,
        double layerNormEpsilon,
        double initializerRange,
        boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx,
        boolean reorderAndUpcastAttn,
        Integer bosTokenId,
        Integer eosTokenId,
        Integer padTokenId,
        boolean tieWordEmbeddings,
        Map<String, JsonNode> extra) {

    public static final String MODEL_TYPE = "gpt2";

    /** Keys this record owns; everything else lands in {@link #extra}. */
    private static final Set<String> OWN = Set.of(
            "model_type",
            "architectures",
            "vocab_size",
            "n_positions",
            "n_embd",
            "n_layer",
            "n_head",
            "n_inner",
            "activation_function",
            "resid_pdrop",
            "embd_pdrop",
            "attn_pdrop",
            "layer_norm_epsilon",
            "initializer_range",
            "scale_attn_weights",
            "scale_attn_by_inverse_layer_idx",
            "reorder_and_upcast_attn",
            "bos_token_id",
            "eos_token_id",
            "pad_token_id",
            "tie_word_embeddings");

    public GPT2Config {
        extra = Map.copyOf(extra);
    }

    /** transformers' GPT2Config() defaults (OpenAI gpt2 small). */
    public static GPT2Config defaults() {
        return new GPT2Config(
                50257,
                1024,
                768,
                12,
                12,
                null,
                "gelu_new",
                0.1,
                0.1,
                0.1,
                1e-5,
                0.02,
                true,
                false,
                false,
                50256,
                50256,
                null,
                true,
                Map.of());
    }

    /** KoGPT2-base ({@code skt/kogpt2-base-v2}). */
    public static GPT2Config kogpt2Base() {
        return defaults().withVocabSize(51200).withSpecialTokens(0, 1, 3);
    }

    /** MLP width: {@code nInner} or 4·C. */
    public int innerSize() {
        return nInner != null ? nInner : 4 * nEmbd;
    }

    /** C / nHead, e.g. 64. */
    public int headSize() {
        return nEmbd / nHead;
    }

    public GPT2Config withVocabSize(int v) {
        return new GPT2Config(
                v,
                nPositions,
                nEmbd,
                nLayer,
                nHead,
                nInner,
                activationFunction,
                residPdrop,
                embdPdrop,
                attnPdrop,
                layerNormEpsilon,
                initializerRange,
                scaleAttnWeights,
                scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn,
                bosTokenId,
                eosTokenId,
                padTokenId,
                tieWordEmbeddings,
                extra);
    }

    public GPT2Config withSpecialTokens(Integer bos, Integer eos, Integer pad) {
        return new GPT2Config(
                vocabSize,
                nPositions,
                nEmbd,
                nLayer,
                nHead,
                nInner,
                activationFunction,
                residPdrop,
                embdPdrop,
                attnPdrop,
                layerNormEpsilon,
                initializerRange,
                scaleAttnWeights,
                scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn,
                bos,
                eos,
                pad,
                tieWordEmbeddings,
                extra);
    }

    /** Same model with all three dropout probabilities set to {@code p}. */
    public GPT2Config withDropout(double p) {
        return new GPT2Config(
                vocabSize,
                nPositions,
                nEmbd,
                nLayer,
                nHead,
                nInner,
                activationFunction,
                p,
                p,
                p,
                layerNormEpsilon,
                initializerRange,
                scaleAttnWeights,
                scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn,
                bosTokenId,
                eosTokenId,
                padTokenId,
                tieWordEmbeddings,
                extra);
    }

    /** A small shape-only variant (tests, benchmarks). */
    public GPT2Config withShape(int nPositions, int nEmbd, int nLayer, int nHead) {
        return new GPT2Config(
                vocabSize,
                nPositions,
                nEmbd,
                nLayer,
                nHead,
                nInner,
                activationFunction,
                residPdrop,
                embdPdrop,
                attnPdrop,
                layerNormEpsilon,
                initializerRange,
                scaleAttnWeights,
                scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn,
                bosTokenId,
                eosTokenId,
                padTokenId,
                tieWordEmbeddings,
                extra);
    }

    /** Reads {@code config.json}; fails (naming the file) on a model_type other than gpt2 or an inconsistent shape. */
    public static GPT2Config read(Path file) throws CheckpointException {
        return fromJson(Json.readObject(file), file);
    }

    /** Parses a config object; {@code file} is only used in error messages. */
    public static GPT2Config fromJson(JsonNode n, Path file) throws CheckpointException {
        JsonNode type = n.get("model_type");
        if (type == null || !type.isTextual()) {
            throw new CheckpointException(file, "no \"model_type\"; expected \"gpt2\"");
        }
        if (!MODEL_TYPE.equals(type.asText())) {
            throw new CheckpointException(
                    file, "unknown model_type \"" + type.asText() + "\"; only \"gpt2\" (GPT2LMHeadModel) is supported");
        }
        GPT2Config d = defaults();
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!OWN.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        GPT2Config c = new GPT2Config(
                intOr(n, "vocab_size", d.vocabSize, file),
                intOr(n, "n_positions", d.nPositions, file),
                intOr(n, "n_embd", d.nEmbd, file),
                intOr(n, "n_layer", d.nLayer, file),
                intOr(n, "n_head", d.nHead, file),
                intOrNull(n, "n_inner", null, file),
                n.hasNonNull("activation_function")
                        ? n.get("activation_function").asText()
                        : d.activationFunction,
                dbl(n, "resid_pdrop", d.residPdrop),
                dbl(n, "embd_pdrop", d.embdPdrop),
                dbl(n, "attn_pdrop", d.attnPdrop),
                dbl(n, "layer_norm_epsilon", d.layerNormEpsilon),
                dbl(n, "initializer_range", d.initializerRange),
                bool(n, "scale_attn_weights", d.scaleAttnWeights),
                bool(n, "scale_attn_by_inverse_layer_idx", d.scaleAttnByInverseLayerIdx),
                bool(n, "reorder_and_upcast_attn", d.reorderAndUpcastAttn),
                intOrNull(n, "bos_token_id", d.bosTokenId, file),
                intOrNull(n, "eos_token_id", d.eosTokenId, file),
                intOrNull(n, "pad_token_id", d.padTokenId, file),
                bool(n, "tie_word_embeddings", d.tieWordEmbeddings),
                extra);
        c.validate(file);
        return c;
    }

    /** Fails when sizes are not positive or C is not divisible by nHead. */
    public void validate(Path file) throws CheckpointException {
        if (vocabSize <= 0
                || nPositions <= 0
                || nEmbd <= 0
                || nLayer <= 0
                || nHead <= 0
                || (nInner != null && nInner <= 0)) {
            throw new CheckpointException(file, "sizes must be positive: " + this);
        }
        if (nEmbd % nHead != 0) {
            throw new CheckpointException(file, "n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
    }

    /** The config.json object HF writes for {@code GPT2LMHeadModel} (our keys first, then {@link #extra}). */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", MODEL_TYPE);
        o.put("vocab_size", vocabSize);
        o.put("n_positions", nPositions);
        o.put("n_embd", nEmbd);
        o.put("n_layer", nLayer);
        o.put("n_head", nHead);
        if (nInner == null) {
            o.putNull("n_inner");
        } else {
            o.put("n_inner", nInner);
        }
        o.put("activation_function", activationFunction);
        o.put("resid_pdrop", residPdrop);
        o.put("embd_pdrop", embdPdrop);
        o.put("attn_pdrop", attnPdrop);
        o.put("layer_norm_epsilon", layerNormEpsilon);
        o.put("initializer_range", initializerRange);
        o.put("scale_attn_weights", scaleAttnWeights);
        o.put("scale_attn_by_inverse_layer_idx", scaleAttnByInverseLayerIdx);
        o.put("reorder_and_upcast_attn", reorderAndUpcastAttn);
        putId(o, "bos_token_id", bosTokenId);
        putId(o, "eos_token_id", eosTokenId);
        putId(o, "pad_token_id", padTokenId);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        extra.forEach((k, v) -> {
            if (!o.has(k)) {
                o.set(k, v);
            }
        });
        return o;
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void write(Path file) throws IOException {
        Files.write(file, Json.pretty(toJson()));
    }

    /** True when both describe the same network shape and vocabulary (dropout, ids and extras may differ). */
    public boolean sameArchitecture(GPT2Config o) {
        return vocabSize == o.vocabSize
                && nPositions == o.nPositions
                && nEmbd == o.nEmbd
                && nLayer == o.nLayer
                && nHead == o.nHead
                && innerSize() == o.innerSize()
                && activationFunction.equals(o.activationFunction)
                && tieWordEmbeddings == o.tieWordEmbeddings;
    }

    private static void putId(ObjectNode o, String k, Integer v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static int intOr(JsonNode n, String k, int d, Path file) throws CheckpointException {
        Integer v = intOrNull(n, k, d, file);
        if (v == null) {
            throw new CheckpointException(file, "\"" + k + "\" must be an integer, not null");
        }
        return v;
    }

    private static Integer intOrNull(JsonNode n, String k, Integer d, Path file) throws CheckpointException {
        if (!n.has(k)) {
            return d;
        }
        JsonNode v = n.get(k);
        if (v.isNull()) {
            return null;
        }
        if (v.isArray() && v.size() > 0 && v.get(0).canConvertToInt()) {
            return v.get(0).intValue(); // e.g. eos_token_id: [1, 2] → the first
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointException(file, "\"" + k + "\" must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static double dbl(JsonNode n, String k, double d) {
        return n.hasNonNull(k) && n.get(k).isNumber() ? n.get(k).doubleValue() : d;
    }

    private static boolean bool(JsonNode n, String k, boolean d) {
        return n.hasNonNull(k) && n.get(k).isBoolean() ? n.get(k).booleanValue() : d;
    }
}
