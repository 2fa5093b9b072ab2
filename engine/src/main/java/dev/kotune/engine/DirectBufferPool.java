package dev.kotune.engine;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reuses the native-order direct float buffers that ONNX Runtime writes logits into. A fresh 26 MB direct buffer
 * (batch 8 × 16 prompt positions × 51200) costs tens of milliseconds to zero and fault in, which showed up as
 * time to first token; a {@link Generator} borrows one at creation and returns it on close. Keeps at most
 * {@code maxIdle} buffers. A buffer dropped from the pool, and every idle one once the pool is closed (its model
 * unloaded), returns its native memory at once ({@link NativeBuffers#free}) instead of waiting for a GC. Thread-safe.
 */
final class DirectBufferPool implements AutoCloseable {

    private final int maxIdle;
    private final ArrayDeque<FloatBuffer> idle = new ArrayDeque<>();
    private final Map<FloatBuffer, ByteBuffer> memory = new IdentityHashMap<>(); // every buffer handed out, idle or not
    private boolean closed;

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
        ByteBuffer bytes = NativeBuffers.allocate((long) floats * Float.BYTES);
        FloatBuffer fresh = bytes.asFloatBuffer();
        memory.put(fresh, bytes);
        return fresh;
    }

    /**
     * Returns a buffer (its borrower no longer uses it); the smallest is freed when more than {@code maxIdle} are
     * idle, and after {@link #close} the buffer itself is.
     */
    synchronized void release(FloatBuffer buffer) {
        if (closed) {
            free(buffer);
            return;
        }
        idle.addFirst(buffer);
        if (idle.size() > maxIdle) {
            FloatBuffer smallest = idle.stream()
                    .min(java.util.Comparator.comparingInt(FloatBuffer::capacity))
                    .get();
            idle.remove(smallest);
            free(smallest);
        }
    }

    /** Frees the idle buffers; borrowed ones are freed as they come back. */
    @Override
    public synchronized void close() {
        closed = true;
        idle.forEach(this::free);
        idle.clear();
    }

    private void free(FloatBuffer buffer) {
        NativeBuffers.free(memory.remove(buffer));
    }
}
