package dev.kotune.engine;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The KV cache of a continuous batch, in Java-owned native memory that ONNX Runtime reads and writes in place: for
 * each of the 2·layers cache tensors, two direct buffers (ping-pong) holding {@code (B, heads, T, head_size)} floats.
 * A step reads {@code past} from the current side and ORT writes {@code present} (T + 1 columns) into the other; then
 * the sides swap. Rows are right-aligned: row b's valid columns are {@code [start_b, T)}, the ones before are masked.
 * Because the batch dimension is outermost, one row is one contiguous region per tensor, so a row joins, leaves or
 * moves by copying only its own floats; only widening (a joiner longer than T) or trimming leading columns copies
 * every row. Not thread-safe: the scheduler thread owns it.
 */
final class KvBatch {

    private final int tensors;
    private final int heads;
    private final int headSize;
    private final FloatBuffer[][] side = new FloatBuffer[2][];
    private final ByteBuffer[][] memory = new ByteBuffer[2][]; // what side[s][i] views, freed when replaced
    private int cur;
    private int rows; // B
    private int columns; // T

    KvBatch(int layers, int heads, int headSize) {
        this.tensors = 2 * layers;
        this.heads = heads;
        this.headSize = headSize;
        side[0] = new FloatBuffer[tensors];
        side[1] = new FloatBuffer[tensors];
        memory[0] = new ByteBuffer[tensors];
        memory[1] = new ByteBuffer[tensors];
    }

    /**
     * Returns every buffer's native memory now (the scheduler has stopped: no ORT tensor or view refers to them).
     * The batch is empty and usable afterwards.
     */
    void release() {
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < tensors; i++) {
                NativeBuffers.free(memory[s][i]);
                memory[s][i] = null;
                side[s][i] = null;
            }
        }
        clear();
    }

    int rows() {
        return rows;
    }

    int columns() {
        return columns;
    }

    /** No rows: the next joiner sets the width. */
    void clear() {
        rows = 0;
        columns = 0;
    }

    /** The past input of tensor {@code i}: (B, nH, T, hs) over the current side. */
    FloatBuffer past(int i) {
        return view(side[cur][i], floats(rows, columns));
    }

    /** Where ORT writes present {@code i}: (B, nH, T + 1, hs) on the other side (grown when too small). */
    FloatBuffer present(int i) {
        int need = floats(rows, columns + 1);
        ensure(1 - cur, i, need, 0);
        return view(side[1 - cur][i], need);
    }

    /** After a step: the presents become the pasts, one column wider. */
    void stepped() {
        cur = 1 - cur;
        columns++;
    }

    /** Adds an empty row at the end (its columns are masked until {@link #place} fills them); returns its index. */
    int addRow() {
        int need = floats(rows + 1, columns);
        for (int i = 0; i < tensors; i++) {
            ensure(cur, i, need, floats(rows, columns));
        }
        return rows++;
    }

    /** Drops the last row (no copy). */
    void removeLastRow() {
        rows--;
    }

    /**
     * Writes a prefilled row's cache into row {@code row}, right-aligned: {@code kv[i]} holds (1, nH, P, hs) floats,
     * {@code P <= T}.
     */
    void place(int row, FloatBuffer[] kv, int length) {
        if (length > columns) {
            throw new IllegalStateException("a row of " + length + " positions does not fit " + columns + " columns");
        }
        for (int i = 0; i < tensors; i++) {
            FloatBuffer dst = side[cur][i];
            for (int h = 0; h < heads; h++) {
                dst.put(offset(row, h, columns - length, columns), kv[i], h * length * headSize, length * headSize);
            }
        }
    }

    /** Copies row {@code from} over row {@code to} (same width). */
    void moveRow(int from, int to) {
        int size = heads * columns * headSize;
        for (int i = 0; i < tensors; i++) {
            FloatBuffer b = side[cur][i];
            b.put(offset(to, 0, 0, columns), b.duplicate(), offset(from, 0, 0, columns), size); // rows never overlap
        }
    }

    /**
     * Re-lays every row out at {@code newColumns}: wider pads on the left (row starts move right by the difference),
     * narrower drops the leftmost columns (they must be masked in every row). Copies into the other side and swaps.
     */
    void resize(int newColumns) {
        int keep = Math.min(columns, newColumns);
        int need = floats(rows, newColumns);
        for (int i = 0; i < tensors; i++) {
            FloatBuffer src = side[cur][i];
            ensure(1 - cur, i, need, 0);
            FloatBuffer dst = side[1 - cur][i];
            for (int b = 0; b < rows; b++) {
                for (int h = 0; h < heads; h++) {
                    dst.put(
                            offset(b, h, newColumns - keep, newColumns),
                            src,
                            offset(b, h, columns - keep, columns),
                            keep * headSize);
                }
            }
        }
        cur = 1 - cur;
        columns = newColumns;
    }

    private int offset(int b, int h, int t, int width) {
        return ((b * heads + h) * width + t) * headSize;
    }

    private int floats(int b, int t) {
        return Math.multiplyExact(Math.multiplyExact(b * heads, t), headSize);
    }

    /**
     * Makes {@code side[s][i]} hold {@code need} floats: kept if large enough, else replaced by a 1.5× larger buffer
     * with its first {@code keep} floats copied, and the old buffer's memory returned at once (called between steps,
     * when no ORT tensor refers to it).
     */
    private void ensure(int s, int i, int need, int keep) {
        FloatBuffer buffer = side[s][i];
        if (buffer != null && buffer.capacity() >= need) {
            return;
        }
        long grown = Math.min(Integer.MAX_VALUE - 8, Math.max(need, (long) need * 3 / 2));
        ByteBuffer bytes = NativeBuffers.allocate(grown * Float.BYTES);
        FloatBuffer fresh = bytes.asFloatBuffer();
        if (buffer != null && keep > 0) {
            fresh.put(0, buffer, 0, keep);
        }
        NativeBuffers.free(memory[s][i]);
        memory[s][i] = bytes;
        side[s][i] = fresh;
    }

    private static FloatBuffer view(FloatBuffer buffer, int floats) {
        return buffer.duplicate().clear().limit(floats).slice();
    }
}
