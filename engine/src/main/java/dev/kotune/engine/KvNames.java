package dev.kotune.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The KV-cache input and output names of an exported decoder, computed once per model: {@code past[i]} is fed from
 * {@code present[i]} (key, value interleaved per layer). Immutable, thread-safe (do not modify the arrays).
 */
record KvNames(String[] past, String[] present, Set<String> presentSet) {

    static KvNames of(int layers) {
        String[] past = new String[2 * layers];
        String[] present = new String[2 * layers];
        for (int i = 0; i < layers; i++) {
            past[2 * i] = String.format(ModelInfo.PAST_KEY, i);
            past[2 * i + 1] = String.format(ModelInfo.PAST_VALUE, i);
            present[2 * i] = String.format(ModelInfo.PRESENT_KEY, i);
            present[2 * i + 1] = String.format(ModelInfo.PRESENT_VALUE, i);
        }
        return new KvNames(past, present, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(present))));
    }
}
