package dev.kotune.export.quant;

import java.nio.FloatBuffer;

/**
 * Symmetric block-wise 8-bit quantization in the layout of ONNX Runtime's {@code com.microsoft::MatMulNBits}
 * (bits = 8): for a weight used as {@code Y = X · W} with {@code W} (K, N), {@code B} is uint8
 * {@code [N][ceil(K / block)][block]} (the transposed weight, each output feature's K inputs cut into blocks, the last
 * one zero-padded), {@code scales} is float {@code [N · ceil(K / block)]}, and the zero point is the operator's
 * default, 128 (no {@code zero_points} input): {@code w ≈ (q - 128) · scale} with {@code scale = max|w| / 127} over the
 * block and {@code q = clamp(round(w / scale), -127, 127) + 128}. Stateless, thread-safe.
 */
public final class BlockQuantizer {

    /** MatMulNBits' default zero point for 8 bits: 2^(bits - 1). */
    public static final int ZERO_POINT = 128;

    private BlockQuantizer() {}

    /**
     * The quantized weight.
     *
     * @param k         input features (K)
     * @param n         output features (N)
     * @param blockSize inputs per block
     * @param b         uint8 [N][blocks][blockSize], row-major
     * @param scales    float [N · blocks]
     */
    public record Quantized(int k, int n, int blockSize, byte[] b, float[] scales) {
        public int blocks() {
            return (k + blockSize - 1) / blockSize;
        }

        /** {@code W[kk][nn]} as the operator sees it: {@code (q - 128) · scale}. */
        public float dequantized(int kk, int nn) {
            int blk = kk / blockSize;
            int q = b[(nn * blocks() + blk) * blockSize + kk % blockSize] & 0xFF;
            return (q - ZERO_POINT) * scales[nn * blocks() + blk];
        }
    }

    /**
     * Quantizes {@code w}. {@code transposed == false}: {@code w} is (K, N) row-major (a GPT-2 Conv1D weight, (in,
     * out)); true: (N, K) row-major (an embedding used as an LM head, (vocab, n_embd)).
     */
    public static Quantized quantize(FloatBuffer w, int k, int n, int blockSize, boolean transposed) {
        FloatBuffer src = w.duplicate();
        src.clear();
        if ((long) k * n != src.remaining()) {
            throw new IllegalArgumentException("weight has " + src.remaining() + " elements, K·N = " + (long) k * n);
        }
        int blocks = (k + blockSize - 1) / blockSize;
        byte[] b = new byte[Math.multiplyExact(Math.multiplyExact(n, blocks), blockSize)];
        float[] scales = new float[n * blocks];
        float[] block = new float[blockSize];
        for (int nn = 0; nn < n; nn++) {
            for (int blk = 0; blk < blocks; blk++) {
                int k0 = blk * blockSize;
                int len = Math.min(blockSize, k - k0);
                float max = 0f;
                for (int i = 0; i < len; i++) {
                    int kk = k0 + i;
                    float v = transposed ? src.get(nn * k + kk) : src.get(kk * n + nn);
                    block[i] = v;
                    max = Math.max(max, Math.abs(v));
                }
                float scale = max / 127f;
                float inv = scale == 0f ? 0f : 1f / scale;
                int base = (nn * blocks + blk) * blockSize;
                for (int i = 0; i < blockSize; i++) {
                    int q = i < len ? Math.round(block[i] * inv) : 0;
                    q = Math.max(-127, Math.min(127, q));
                    b[base + i] = (byte) (q + ZERO_POINT);
                }
                scales[nn * blocks + blk] = scale;
            }
        }
        return new Quantized(k, n, blockSize, b, scales);
    }
}
