package dev.kotune.export.gpt2;

import static dev.kotune.export.gpt2.OnnxNames.ATTENTION_MASK;
import static dev.kotune.export.gpt2.OnnxNames.INPUT_IDS;

import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.export.graph.Attr;
import dev.kotune.export.onnx.proto.TensorProto.DataType;
import java.util.List;

/**
 * GPT-2 blocks in standard ONNX ops (opset 20), the parity reference: {@code LayerNormalization},
 * {@code Gelu(approximate="tanh")} (= gelu_new), attention spelled out as HF's eager path does it — past keys first
 * ({@code Concat} on the time axis), scores / √hs, plus an additive mask that is 0 where attention is allowed and
 * float32's lowest value elsewhere (causal and padding, built once from {@code attention_mask}), softmax, weighted sum.
 * Not thread-safe; {@link Int8Gpt2Graph} replaces its projections.
 */
class PlainGpt2Graph extends Gpt2Graph {

    PlainGpt2Graph(GPT2Config config, StateDict weights) {
        super(config, weights, "kotune_gpt2_plain");
    }

    @Override
    protected String blocks(String tok, String pos) {
        String x = g.op("embed.sum", "Add", tok, pos); // (B, T, C)
        String bias = maskBias(); // (B, 1, T, P+T)
        String shapeHeads = g.int64s("const.shape_bthd", 0, 0, nHead, headSize);
        String shapeMerged = g.int64s("const.shape_btc", 0, 0, nEmbd);
        String split = g.int64s("const.split_qkv", nEmbd, nEmbd, nEmbd);
        for (int i = 0; i < nLayer; i++) {
            String p = "h." + i + ".";
            String ln1 = layerNorm(p + "ln_1.out", x, h(i, "ln_1")); // (B, T, C)
            String qkv = linear(p + "attn.qkv", ln1, h(i, "attn.c_attn")); // (B, T, 3C)
            g.node(
                    "Split",
                    List.of(qkv, split),
                    List.of(p + "attn.q", p + "attn.k", p + "attn.v"),
                    Attr.i("axis", 2)); // 3 × (B, T, C)
            String q = heads(p + "attn.q", shapeHeads); // (B, nH, T, hs)
            String k = heads(p + "attn.k", shapeHeads); // (B, nH, T, hs)
            String v = heads(p + "attn.v", shapeHeads); // (B, nH, T, hs)
            String presentK = g.op(
                    OnnxNames.presentKey(i),
                    "Concat",
                    List.of(OnnxNames.pastKey(i), k),
                    Attr.i("axis", 2)); // (B, nH, P+T, hs)
            String presentV = g.op(
                    OnnxNames.presentValue(i),
                    "Concat",
                    List.of(OnnxNames.pastValue(i), v),
                    Attr.i("axis", 2)); // (B, nH, P+T, hs)
            String kT = g.op(
                    p + "attn.kT", "Transpose", List.of(presentK), Attr.ints("perm", 0, 1, 3, 2)); // (B, nH, hs, P+T)
            String scores = g.op(p + "attn.scores", "MatMul", q, kT); // (B, nH, T, P+T)
            String scaled = g.op(
                    p + "attn.scaled",
                    "Mul",
                    scores,
                    g.floatScalar(p + "attn.scale", attentionScale(i))); // (B, nH, T, P+T)
            String masked = g.op(p + "attn.masked", "Add", scaled, bias); // (B, nH, T, P+T)
            String probs = g.op(p + "attn.probs", "Softmax", List.of(masked), Attr.i("axis", -1)); // (B, nH, T, P+T)
            String ctx = g.op(p + "attn.ctx", "MatMul", probs, presentV); // (B, nH, T, hs)
            String ctxT =
                    g.op(p + "attn.ctx_t", "Transpose", List.of(ctx), Attr.ints("perm", 0, 2, 1, 3)); // (B, T, nH, hs)
            String merged = g.op(p + "attn.merged", "Reshape", ctxT, shapeMerged); // (B, T, C)
            String attn = linear(p + "attn.out", merged, h(i, "attn.c_proj")); // (B, T, C)
            x = g.op(p + "resid1", "Add", x, attn); // (B, T, C)
            String ln2 = layerNorm(p + "ln_2.out", x, h(i, "ln_2")); // (B, T, C)
            String fc = linear(p + "mlp.fc", ln2, h(i, "mlp.c_fc")); // (B, T, 4C)
            String act = g.op(p + "mlp.gelu", "Gelu", List.of(fc), Attr.s("approximate", "tanh")); // (B, T, 4C)
            String mlp = linear(p + "mlp.out", act, h(i, "mlp.c_proj")); // (B, T, C)
            x = g.op(p + "resid2", "Add", x, mlp); // (B, T, C)
        }
        return layerNorm("ln_f.out", x, "ln_f"); // (B, T, C)
    }

    /**
     * Additive attention mask, built once: key j is visible to query i (absolute position P + i) when
     * {@code j <= P + i} and {@code attention_mask[b, j] == 1}; visible → 0, hidden → float32 lowest (HF's fill value).
     */
    private String maskBias() {
        String one = g.int64Scalar("const.one", 1);
        String zero = g.int64Scalar("const.zero", 0);
        String t = g.op("mask.t", "Gather", g.op("mask.ids_shape", "Shape", INPUT_IDS), one); // () = T
        String total = g.op("mask.total", "Gather", g.op("mask.mask_shape", "Shape", ATTENTION_MASK), one); // () = P+T
        String past = g.op("mask.past", "Sub", total, t); // () = P
        String qpos = g.op("mask.qpos", "Range", past, total, one); // (T,)
        String kpos = g.op("mask.kpos", "Range", zero, total, one); // (P+T,)
        String qcol = g.op("mask.qcol", "Unsqueeze", qpos, g.int64s("const.axes_1", 1)); // (T, 1)
        String causal = g.op("mask.causal", "LessOrEqual", kpos, qcol); // (T, P+T) bool
        String pad =
                g.op("mask.pad", "Cast", List.of(ATTENTION_MASK), Attr.i("to", DataType.BOOL_VALUE)); // (B, P+T) bool
        String pad4 = g.op("mask.pad4", "Unsqueeze", pad, g.int64s("const.axes_12", 1, 2)); // (B, 1, 1, P+T)
        String allowed = g.op("mask.allowed", "And", causal, pad4); // (B, 1, T, P+T)
        return g.op(
                "mask.bias",
                "Where",
                allowed,
                g.floatScalar("const.zero_f", 0f),
                g.floatScalar("const.lowest_f", -Float.MAX_VALUE)); // (B, 1, T, P+T)
    }

    private String layerNorm(String out, String x, String prefix) {
        return g.op(
                out,
                "LayerNormalization",
                List.of(x, weight(prefix + ".weight"), weight(prefix + ".bias")),
                Attr.i("axis", -1),
                Attr.f("epsilon", epsilon()));
    }

    /** Conv1D: {@code x @ W + b} with W stored (in, out); {@code prefix} e.g. {@code h.0.attn.c_attn}. */
    protected String linear(String out, String x, String prefix) {
        String mm = g.op(out + ".mm", "MatMul", x, weight(prefix + ".weight"));
        return g.op(out, "Add", mm, weight(prefix + ".bias"));
    }

    /** (B, T, C) → (B, nH, T, hs). */
    private String heads(String x, String shapeHeads) {
        String r = g.op(x + ".bthd", "Reshape", x, shapeHeads); // (B, T, nH, hs)
        return g.op(x + ".bhtd", "Transpose", List.of(r), Attr.ints("perm", 0, 2, 1, 3)); // (B, nH, T, hs)
    }
}
