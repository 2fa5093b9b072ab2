package dev.kotune.checkpoint;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Element types found in safetensors and torch checkpoints, each convertible to float. Immutable.
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    F64(8),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The safetensors spelling ("F32", "BF16", ...). */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype name; {@code null} when unknown. */
    public static DType fromSafetensors(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Reads element {@code index} of a little-endian buffer (absolute; the buffer position is not used). */
    public float read(ByteBuffer le, int index) {
        return switch (this) {
            case F32 -> le.getFloat(index * 4);
            case F16 -> halfToFloat(le.getShort(index * 2));
            case BF16 -> Float.intBitsToFloat((le.getShort(index * 2) & 0xffff) << 16);
            case F64 -> (float) le.getDouble(index * 8);
            case I64 -> (float) le.getLong(index * 8);
            case I32 -> (float) le.getInt(index * 4);
            case I16 -> le.getShort(index * 2);
            case I8 -> le.get(index);
            case U8 -> le.get(index) & 0xff;
            case BOOL -> le.get(index) != 0 ? 1f : 0f;
        };
    }

    /** IEEE 754 binary16 → binary32, exact (subnormals, infinities and NaN included). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24, exact in binary32
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
