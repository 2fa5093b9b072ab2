package dev.kotune.trainer.kafka;

import dev.kotune.proto.training.v1.TrainingEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded, ordered buffer between the threads that report a job's facts and the one thread that sends them to the
 * broker ({@link TrainingEventPublisher}). Events leave in the order they came in (so every job's events keep their
 * order). What is kept when it holds {@code capacity} events:
 * <ul>
 *   <li>a lifecycle event (anything but {@code TrainingProgress}) is never dropped: {@link #putLifecycle} waits until
 *       the sender has taken an event out (the reporting thread, i.e. training, pauses only then);
 *   <li>a progress event ({@link #putProgress}) first evicts the oldest progress event still waiting (of any job), so
 *       the newest progress lines are kept; when only lifecycle events wait, the new progress event itself is dropped.
 * </ul>
 * Thread-safe.
 */
public final class EventBuffer {

    /** One event on its way out; {@code sent} completes when the broker acknowledged it (or fails for good). */
    public record Entry(TrainingEvent event, boolean progress, CompletableFuture<Void> sent) {}

    private final int capacity;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final AtomicLong droppedProgress = new AtomicLong();

    public EventBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Appends a lifecycle event, waiting while the buffer is full. */
    public Entry putLifecycle(TrainingEvent event) throws InterruptedException {
        Entry entry = new Entry(event, false, new CompletableFuture<>());
        lock.lockInterruptibly();
        try {
            while (queue.size() >= capacity) {
                notFull.await();
            }
            queue.addLast(entry);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return entry;
    }

    /**
     * Appends a progress event without waiting: when the buffer is full, the oldest waiting progress event makes room;
     * when none waits, this one is dropped.
     *
     * @return false when {@code event} itself was dropped
     */
    public boolean putProgress(TrainingEvent event) {
        lock.lock();
        try {
            if (queue.size() >= capacity) {
                Iterator<Entry> it = queue.iterator();
                boolean evicted = false;
                while (it.hasNext()) {
                    Entry waiting = it.next();
                    if (waiting.progress()) {
                        it.remove();
                        waiting.sent().complete(null);
                        evicted = true;
                        break;
                    }
                }
                droppedProgress.incrementAndGet();
                if (!evicted) {
                    return false;
                }
            }
            queue.addLast(new Entry(event, true, new CompletableFuture<>()));
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest event out, waiting up to {@code timeoutMillis}; null when none came. */
    public Entry poll(long timeoutMillis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            Entry head = queue.pollFirst();
            notFull.signalAll();
            return head;
        } finally {
            lock.unlock();
        }
    }

    /** Events waiting (not counting the one being sent). */
    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Progress events dropped so far because the buffer was full. */
    public long droppedProgress() {
        return droppedProgress.get();
    }

    public int capacity() {
        return capacity;
    }
}
