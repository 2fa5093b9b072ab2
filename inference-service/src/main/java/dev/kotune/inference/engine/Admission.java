package dev.kotune.inference.engine;

import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.QueueFullException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The generation slots of one model: at most {@code maxConcurrent} requests generate at once, at most
 * {@code maxQueue} more wait (FIFO) for a slot, and one more is refused at once with {@link QueueFullException}. A
 * waiting request gives up when its client goes away. The slots belong to the model id, so they hold across hot
 * swaps. Thread-safe.
 */
final class Admission {

    /** How often a waiting request checks whether its client went away. */
    private static final long POLL_MILLIS = 50;

    private final String modelId;
    private final int maxConcurrent;
    private final int maxQueue;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(String modelId, int maxConcurrent, int maxQueue) {
        if (maxConcurrent < 1 || maxQueue < 0) {
            throw new IllegalArgumentException("max-concurrent must be >= 1 and max-queue >= 0, got " + maxConcurrent
                    + " and " + maxQueue);
        }
        this.modelId = modelId;
        this.maxConcurrent = maxConcurrent;
        this.maxQueue = maxQueue;
        this.slots = new Semaphore(maxConcurrent, true);
    }

    /**
     * Takes a slot, waiting in the queue if there is room in it; {@link #exit()} gives it back.
     *
     * @throws QueueFullException        when every slot is busy and the queue is full
     * @throws ModelUnavailableException when the client went away or the thread was interrupted while waiting
     */
    void enter(BooleanSupplier cancelled) {
        if (slots.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            throw new QueueFullException("model " + modelId + " is busy: " + maxConcurrent + " generation"
                    + (maxConcurrent == 1 ? "" : "s") + " running and " + maxQueue + " waiting (kotune.inference."
                    + "max-concurrent / max-queue); retry later");
        }
        try {
            while (!slots.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    throw new ModelUnavailableException("the client went away while waiting for model " + modelId);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while waiting for model " + modelId, e);
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Gives a slot back. */
    void exit() {
        slots.release();
    }

    /** Requests generating now. */
    int running() {
        return maxConcurrent - slots.availablePermits();
    }

    /** Requests waiting now. */
    int waiting() {
        return waiting.get();
    }
}
