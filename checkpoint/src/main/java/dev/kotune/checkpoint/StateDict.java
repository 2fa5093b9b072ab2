package dev.kotune.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named float tensors in insertion order, as a checkpoint file holds them ({@code transformer.h.0.attn.c_attn.weight})
 * or normalised ({@code h.0.attn.c_attn.weight}). Remembers the file it came from for error messages. Not
 * thread-safe for mutation; safe to read from several threads once filled.
 */
public final class StateDict {

    private final Path source;
    private final Map<String, FloatTensor> tensors = new LinkedHashMap<>();

    /** @param source the file these tensors came from ({@code null} for tensors made in memory) */
    public StateDict(Path source) {
        this.source = source;
    }

    public Path source() {
        return source;
    }

    public StateDict put(String name, FloatTensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    /** The tensor, or {@code null}. */
    public FloatTensor get(String name) {
        return tensors.get(name);
    }

    /** The tensor; a {@link CheckpointException} naming the file and key when absent. */
    public FloatTensor require(String name) throws CheckpointException {
        FloatTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(source, "missing tensor '" + name + "'");
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public FloatTensor remove(String name) {
        return tensors.remove(name);
    }

    /** Names in insertion order (unmodifiable view). */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Entries in insertion order (unmodifiable view). */
    public Map<String, FloatTensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /** Total element count. */
    public long parameterCount() {
        long n = 0;
        for (FloatTensor t : tensors.values()) {
            n += t.numel();
        }
        return n;
    }

    /** Same names and bit-identical tensors; returns the names that differ (empty when identical). */
    public List<String> differences(StateDict other) {
        List<String> out = new java.util.ArrayList<>();
        for (String n : tensors.keySet()) {
            FloatTensor o = other.tensors.get(n);
            if (o == null || !o.bitEquals(tensors.get(n))) {
                out.add(n);
            }
        }
        for (String n : other.tensors.keySet()) {
            if (!tensors.containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "StateDict(" + tensors.size() + " tensors from " + source + ")";
    }
}
