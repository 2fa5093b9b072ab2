package dev.kotune.trainer.domain;

/**
 * What to do with the trained model. Immutable.
 *
 * @param onnx        export to ONNX at the end, e.g. true
 * @param graphFlavor "optimized" (com.microsoft fused ops) or "plain" (standard ops only)
 */
public record ExportOptions(boolean onnx, String graphFlavor) {

    /** Fused com.microsoft ops, the default. */
    public static final String OPTIMIZED = "optimized";
    /** Standard ONNX ops only. */
    public static final String PLAIN = "plain";
}
