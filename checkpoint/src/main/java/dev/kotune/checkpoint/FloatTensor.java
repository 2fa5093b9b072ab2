package dev.kotune.checkpoint;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense row-major float32 tensor: a shape and its elements. The buffer may be a read-only view of a memory-mapped
 * file (zero copy) or wrap a heap array; always read it through absolute {@code get(i)} or {@link #toArray()}.
 * Immutable as long as nobody writes through a heap buffer handed in; safe to share between threads for reading.
 *
 * @param shape dimensions, e.g. {@code [51200, 768]} for {@code wte.weight}
 * @param data  {@code product(shape)} elements from index 0
 */
public record FloatTensor(int[] shape, FloatBuffer data) {

    public FloatTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (data.capacity() != n) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements, buffer has " + data.capacity());
        }
    }

    /** Wraps (does not copy) {@code values}. */
    public static FloatTensor of(int[] shape, float[] values) {
        return new FloatTensor(shape, FloatBuffer.wrap(values));
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Number of elements. */
    public int numel() {
        return data.capacity();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the elements. */
    public float[] toArray() {
        float[] out = new float[numel()];
        data.duplicate().clear().get(out);
        return out;
    }

    /** Same shape and the same float bit patterns, element by element. */
    public boolean bitEquals(FloatTensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        for (int i = 0, n = numel(); i < n; i++) {
            if (Float.floatToRawIntBits(data.get(i)) != Float.floatToRawIntBits(other.data.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Shape as {@code (51200, 768)}. */
    public String shapeString() {
        return shapeString(shape);
    }

    static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && bitEquals(t);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + numel();
    }

    @Override
    public String toString() {
        return "FloatTensor" + shapeString();
    }
}
