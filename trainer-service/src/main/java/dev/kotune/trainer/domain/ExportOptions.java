package dev.kotune.trainer.domain;

/**
 * What to do with the trained model. Immutable.
 *
 * @param onnx        export to ONNX at the end, e.g. true
 * @param graphFlavor "optimized" (com.microsoft fused ops), "plain" (standard ops only) or "int8" (plain with 8-bit
 *                    weights, com.microsoft MatMulNBits)
 */
public record ExportOptions(boolean onnx, String graphFlavor) {

    /** Fused com.microsoft ops, the default. */
    public static final String OPTIMIZED = "optimized";
    /** Standard ONNX ops only. */
    public static final String PLAIN = "plain";
    /** Plain with 8-bit block-quantized linear layers and LM head (export module's GraphFlavour.INT8). */
    public static final String INT8 = "int8";
}
