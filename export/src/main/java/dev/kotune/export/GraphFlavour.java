package dev.kotune.export;

/**
 * Which ONNX graph the exporter writes. All have the same inputs and outputs; {@link #PLAIN} and {@link #FUSED} the same
 * numbers (within float rounding), {@link #INT8} numbers within the drift measured in docs/benchmarks.md ("int8
 * weight-only flavour").
 */
public enum GraphFlavour {
    /**
     * Standard ONNX ops only (opset 20: {@code LayerNormalization}, {@code Gelu(approximate="tanh")}, attention spelled
     * out with MatMul/Softmax and an in-graph causal + padding mask): the parity reference, runs anywhere, and the
     * faster one on ONNX Runtime 1.23's CPU provider (whose optimizer fuses it to FusedMatMul + FastGelu itself).
     */
    PLAIN,
    /**
     * ONNX Runtime {@code com.microsoft} fused ops where they pay: {@code MultiHeadAttention} with past/present and a
     * key padding mask, {@code SkipLayerNormalization} (residual add + LayerNorm, embedding add folded into the first),
     * {@code FastGelu} with its bias. Needs ONNX Runtime.
     */
    FUSED,
    /**
     * {@link #PLAIN} with the weights of every linear layer ({@code attn.c_attn}, {@code attn.c_proj},
     * {@code mlp.c_fc}, {@code mlp.c_proj}) and, by default, the tied LM head quantized block-wise to 8 bits, run by
     * ONNX Runtime's {@code com.microsoft::MatMulNBits}; activations, embeddings, LayerNorm and biases stay fp32. About
     * a third of the fp32 bytes read per decoded token. Block size and {@code accuracy_level}: see
     * {@link WeightQuantization}.
     */
    INT8;

    /**
     * The flavour {@code ./kotune export} writes unless told otherwise: the faster one in the CPU A/B
     * (bench/generation.sh, docs/benchmarks.md "Generation": plain won 19 of 28 paired runs at batch 1 and 8; the
     * fused ops did not pay on ORT 1.23 CPU, neither all of them nor SkipLayerNormalization + FastGelu alone).
     */
    public static final GraphFlavour DEFAULT = PLAIN;

    /** True for a flavour whose weights are quantized ({@link #INT8}). */
    public boolean quantized() {
        return this == INT8;
    }

    /** Lower-case name as used on the command line and in metadata ({@code plain}, {@code fused}, {@code int8}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #id()} (case-insensitive); the message lists the allowed values. */
    public static GraphFlavour parse(String s) {
        for (GraphFlavour f : values()) {
            if (f.id().equalsIgnoreCase(s.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("graph flavour must be one of plain, fused, int8; got '" + s + "'");
    }
}
