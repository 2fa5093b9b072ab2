package dev.kotune.export;

/**
 * How the {@link GraphFlavour#INT8} flavour quantizes weights for ONNX Runtime's {@code com.microsoft::MatMulNBits}:
 * symmetric block-wise 8-bit (per block of {@code blockSize} consecutive input features of one output feature: scale
 * = max|w| / 127, {@code q = round(w / scale) + 128} as uint8, the operator's default zero point 128), and the
 * kernel's {@code accuracy_level}. Immutable, thread-safe.
 *
 * @param bits          weight bits; 8 (the only width written)
 * @param blockSize     input features per scale: a power of two ≥ 16, e.g. 32
 * @param accuracyLevel MatMulNBits {@code accuracy_level}: 4 (activations quantized to int8 per block on the fly, int8
 *                      dot products: MLAS's fused 8-bit kernel) or 0 (fp32 compute: ONNX Runtime 1.23's x86 CPU
 *                      provider has no fused fp32 kernel for 8-bit weights and dequantizes every weight to fp32 on each
 *                      call, about 35x slower than fp32 MatMul; kept for drift comparisons only); 1-3 act as 0 on x86
 * @param lmHead        also quantize the tied LM head ({@code logits = h · wteᵀ}, 157 MB of the 497 MB an fp32
 *                      KoGPT2-base decode step reads); the token embedding {@code Gather} keeps the fp32 {@code wte}
 */
public record WeightQuantization(int bits, int blockSize, int accuracyLevel, boolean lmHead) {

    /**
     * The defaults of {@code ./kotune export --flavour int8}, chosen by measurement (docs/benchmarks.md, "int8
     * weight-only flavour"): block 32, accuracy level 4, LM head quantized.
     */
    public static final WeightQuantization DEFAULT = new WeightQuantization(8, 32, 4, true);

    public WeightQuantization {
        if (bits != 8) {
            throw new IllegalArgumentException("bits must be 8, got " + bits);
        }
        if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two in [16, 256], got " + blockSize);
        }
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw new IllegalArgumentException("accuracy level must be in [0, 4], got " + accuracyLevel);
        }
    }

    public WeightQuantization withBlockSize(int b) {
        return new WeightQuantization(bits, b, accuracyLevel, lmHead);
    }

    public WeightQuantization withAccuracyLevel(int level) {
        return new WeightQuantization(bits, blockSize, level, lmHead);
    }

    public WeightQuantization withLmHead(boolean quantize) {
        return new WeightQuantization(bits, blockSize, accuracyLevel, quantize);
    }
}
