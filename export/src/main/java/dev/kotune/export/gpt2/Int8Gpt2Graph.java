package dev.kotune.export.gpt2;

import static dev.kotune.export.gpt2.OnnxNames.LOGITS;
import static dev.kotune.export.graph.GraphBuilder.MS_DOMAIN;

import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.export.WeightQuantization;
import dev.kotune.export.graph.Attr;
import dev.kotune.export.onnx.proto.TensorProto.DataType;
import dev.kotune.export.quant.BlockQuantizer;
import java.util.List;

/**
 * The plain graph with 8-bit weights: every Conv1D projection becomes
 * {@code com.microsoft::MatMulNBits(x, h.{i}.….weight_q8, h.{i}.….weight_scales)} + the fp32 bias, and (with
 * {@link WeightQuantization#lmHead()}) the tied LM head {@code MatMulNBits(h, wte.weight_q8, wte.weight_scales)} on
 * (B, T, C) → (B, T, V); wte itself stays fp32 for the embedding {@code Gather}. Weight layout and quantization: see
 * {@link BlockQuantizer}. Not thread-safe.
 */
final class Int8Gpt2Graph extends PlainGpt2Graph {

    /** Suffixes of the quantized initializers, after the checkpoint name ({@code h.0.attn.c_attn.weight_q8}). */
    static final String Q_SUFFIX = "_q8";

    static final String SCALES_SUFFIX = "_scales";

    private final WeightQuantization q;

    Int8Gpt2Graph(GPT2Config config, StateDict weights, WeightQuantization q) {
        super(config, weights);
        this.q = q;
        g.opset(MS_DOMAIN, 1);
    }

    @Override
    protected String linear(String out, String x, String prefix) {
        String name = prefix + ".weight";
        FloatTensor w = tensor(name); // (K, N) = (in, out)
        String mm = matMulNBits(out + ".mm", x, name, w, w.shape()[0], w.shape()[1], false);
        return g.op(out, "Add", mm, weight(prefix + ".bias"));
    }

    @Override
    protected void lmHead(String hidden) {
        if (!q.lmHead()) {
            super.lmHead(hidden);
            return;
        }
        String name = lmHeadWeight();
        FloatTensor w = tensor(name); // (V, C) = (N, K)
        matMulNBits(LOGITS, hidden, name, w, nEmbd, vocab, true); // (B, T, V)
    }

    /** {@code Y = X · W} with W (K, N) quantized; {@code transposed}: the tensor is stored (N, K). */
    private String matMulNBits(String out, String x, String name, FloatTensor w, int k, int n, boolean transposed) {
        BlockQuantizer.Quantized bq = BlockQuantizer.quantize(w.data(), k, n, q.blockSize(), transposed);
        String b =
                g.rawInitializer(name + Q_SUFFIX, DataType.UINT8, new long[] {n, bq.blocks(), q.blockSize()}, bq.b());
        java.nio.ByteBuffer sb =
                java.nio.ByteBuffer.allocate(bq.scales().length * Float.BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        sb.asFloatBuffer().put(bq.scales());
        String scales =
                g.rawInitializer(name + SCALES_SUFFIX, DataType.FLOAT, new long[] {(long) n * bq.blocks()}, sb.array());
        return g.node(
                MS_DOMAIN,
                "MatMulNBits",
                List.of(x, b, scales),
                List.of(out),
                Attr.i("K", k),
                Attr.i("N", n),
                Attr.i("bits", q.bits()),
                Attr.i("block_size", q.blockSize()),
                Attr.i("accuracy_level", q.accuracyLevel()));
    }
}
