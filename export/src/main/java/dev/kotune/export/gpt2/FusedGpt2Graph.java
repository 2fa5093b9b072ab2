package dev.kotune.export.gpt2;

import static dev.kotune.export.gpt2.OnnxNames.ATTENTION_MASK;
import static dev.kotune.export.graph.GraphBuilder.MS_DOMAIN;

import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.export.graph.Attr;
import dev.kotune.export.onnx.proto.TensorProto.DataType;
import java.util.List;

/**
 * GPT-2 blocks with ONNX Runtime's {@code com.microsoft} fused ops, as ORT's transformer optimizer would emit them:
 * <ul>
 *   <li>{@code SkipLayerNormalization(a, x, γ, β, bias)} = LayerNorm(x + a + bias), its 4th output the residual
 *       sum; the embedding add is folded into the first one and every projection bias into the next;</li>
 *   <li>{@code MultiHeadAttention(q, k, v, c_attn.bias, key_padding_mask, -, past_key, past_value)} with
 *       {@code unidirectional=1} (causal, past keys first) → output, present_key, present_value;</li>
 *   <li>{@code FastGelu(x, bias)} (tanh approximation = gelu_new).</li>
 * </ul>
 * Masked scores get ORT's default filter value (-10000) rather than float32 lowest: identical probabilities after
 * softmax for every query row with at least one visible key. Not thread-safe.
 */
final class FusedGpt2Graph extends Gpt2Graph {

    FusedGpt2Graph(GPT2Config config, StateDict weights) {
        super(config, weights, "kotune_gpt2_fused");
        g.opset(MS_DOMAIN, 1);
    }

    @Override
    protected String blocks(String tok, String pos) {
        String mask =
                g.op("mask.int32", "Cast", List.of(ATTENTION_MASK), Attr.i("to", DataType.INT32_VALUE)); // (B, P+T)
        String split = g.int64s("const.split_qkv", nEmbd, nEmbd, nEmbd);
        // h = ln_1(tok + pos), x = tok + pos
        String[] hx = skipLayerNorm("h.0.ln_1", tok, pos, h(0, "ln_1"), null, true);
        String h = hx[0]; // (B, T, C)
        String x = hx[1]; // (B, T, C)
        for (int i = 0; i < nLayer; i++) {
            String p = "h." + i + ".";
            String qkv =
                    g.op(p + "attn.qkv", "MatMul", h, weight(h(i, "attn.c_attn.weight"))); // (B, T, 3C) bias in MHA
            g.node(
                    "Split",
                    List.of(qkv, split),
                    List.of(p + "attn.q", p + "attn.k", p + "attn.v"),
                    Attr.i("axis", 2)); // 3 × (B, T, C)
            g.node(
                    MS_DOMAIN,
                    "MultiHeadAttention",
                    List.of(
                            p + "attn.q",
                            p + "attn.k",
                            p + "attn.v",
                            weight(h(i, "attn.c_attn.bias")),
                            mask,
                            "",
                            OnnxNames.pastKey(i),
                            OnnxNames.pastValue(i)),
                    List.of(p + "attn.ctx", OnnxNames.presentKey(i), OnnxNames.presentValue(i)),
                    Attr.i("num_heads", nHead),
                    Attr.i("unidirectional", 1),
                    Attr.f("scale", attentionScale(i))); // (B, T, C), 2 × (B, nH, P+T, hs)
            String attn = g.op(
                    p + "attn.out",
                    "MatMul",
                    p + "attn.ctx",
                    weight(h(i, "attn.c_proj.weight"))); // (B, T, C) bias in SLN
            hx = skipLayerNorm(p + "ln_2", attn, x, h(i, "ln_2"), h(i, "attn.c_proj.bias"), true);
            String ln2 = hx[0]; // (B, T, C)
            x = hx[1]; // (B, T, C)
            String fc = g.op(p + "mlp.fc", "MatMul", ln2, weight(h(i, "mlp.c_fc.weight"))); // (B, T, 4C)
            String act = g.node(
                    MS_DOMAIN,
                    "FastGelu",
                    List.of(fc, weight(h(i, "mlp.c_fc.bias"))),
                    List.of(p + "mlp.gelu")); // (B, T, 4C)
            String mlp = g.op(p + "mlp.out", "MatMul", act, weight(h(i, "mlp.c_proj.weight"))); // (B, T, C) bias in SLN
            boolean last = i == nLayer - 1;
            String nextLn = last ? "ln_f" : h(i + 1, "ln_1");
            hx = skipLayerNorm(
                    last ? "ln_f" : "h." + (i + 1) + ".ln_1", mlp, x, nextLn, h(i, "mlp.c_proj.bias"), !last);
            h = hx[0]; // (B, T, C)
            x = hx[1]; // (B, T, C) or null after ln_f
        }
        return h; // (B, T, C)
    }

    /**
     * {@code LayerNorm(input + skip + bias)}; returns {normalised, residual sum (or null when not wanted)}.
     * @param biasPrefix full name of the bias tensor, or null
     */
    private String[] skipLayerNorm(
            String name, String input, String skip, String lnPrefix, String biasPrefix, boolean wantSum) {
        String out = name + ".out";
        String sum = wantSum ? name + ".residual" : "";
        List<String> inputs = biasPrefix == null
                ? List.of(input, skip, weight(lnPrefix + ".weight"), weight(lnPrefix + ".bias"))
                : List.of(input, skip, weight(lnPrefix + ".weight"), weight(lnPrefix + ".bias"), weight(biasPrefix));
        List<String> outputs = wantSum ? List.of(out, "", "", sum) : List.of(out);
        g.node(MS_DOMAIN, "SkipLayerNormalization", inputs, outputs, Attr.f("epsilon", epsilon()));
        return new String[] {out, wantSum ? sum : null};
    }
}
