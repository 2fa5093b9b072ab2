package dev.kotune.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Reuses the native-order direct float buffers that ONNX Runtime writes logits into. A fresh 26 MB direct buffer
 * (batch 8 × 16 prompt positions × 51200) costs tens of milliseconds to zero and fault in, which showed up as
 * time to first token; a {@link Generator} borrows one at creation and returns it on close. Keeps at most
 * {@code maxIdle} buffers. Thread-safe.
 */
final class DirectBufferPool {

    private final int maxIdle;
    private final ArrayDeque<FloatBuffer> idle = new ArrayDeque<>();

    DirectBufferPool(int maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** A buffer of at least {@code floats} elements (position 0, limit = capacity). */
    synchronized FloatBuffer borrow(int floats) {
        for (Iterator<FloatBuffer> it = idle.iterator(); it.hasNext(); ) {
            FloatBuffer b = it.next();
            if (b.capacity() >= floats) {
                it.remove();
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** Returns a buffer; the smallest is dropped when more than {@code maxIdle} are idle. */
    synchronized void release(FloatBuffer buffer) {
        idle.addFirst(buffer);
        if (idle.size() > maxIdle) {
            FloatBuffer smallest = idle.stream()
                    .min(java.util.Comparator.comparingInt(FloatBuffer::capacity))
                    .get();
            idle.remove(smallest);
        }
    }
}
