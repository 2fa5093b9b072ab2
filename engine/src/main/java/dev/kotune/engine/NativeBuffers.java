package dev.kotune.engine;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct buffers whose native memory is returned when their owner lets go of them, not when a garbage collection
 * happens to find them: a retired scheduler's KV cache and logits (tens of MB for a KoGPT2-base-size model) otherwise
 * stay in the process while the heap is quiet, and every model swap adds them up ({@code bench/soak.sh}).
 */
final class NativeBuffers {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private NativeBuffers() {}

    /** A direct buffer of {@code bytes} in native byte order. */
    static ByteBuffer allocate(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    /**
     * Returns {@code buffer}'s memory now. The caller guarantees that nothing (no view, no ONNX Runtime tensor) uses it
     * any more. {@code null} is ignored; without {@code sun.misc.Unsafe} the memory waits for the collector as usual.
     */
    static void free(ByteBuffer buffer) {
        if (buffer != null && buffer.isDirect() && UNSAFE != null) {
            UNSAFE.invokeCleaner(buffer);
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
