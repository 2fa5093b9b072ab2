package dev.kotune.trainer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event ids handled recently, to drop records Kafka delivers again (after a rebalance or a restart before the
 * offset was committed). Bounded: the oldest ids are forgotten first. Thread-safe.
 */
public final class EventIdLog {

    private final Map<String, Boolean> ids;

    public EventIdLog(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether {@code eventId} was handled. */
    public synchronized boolean contains(String eventId) {
        return ids.containsKey(eventId);
    }

    /** Remembers {@code eventId} as handled. */
    public synchronized void add(String eventId) {
        ids.put(eventId, Boolean.TRUE);
    }
}
