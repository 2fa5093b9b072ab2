package dev.kotune.inference.engine;

import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelMemoryBudgetException;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.models.ExportCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The memory budget of loaded models ({@code kotune.inference.models-memory-budget}). Every load first
 * {@link #reserve reserves} its estimated bytes; when they do not fit, the least recently used resident model with no
 * request in flight and not pinned is unloaded (retired and freed at once), again until they fit; when no model can
 * be unloaded the load waits for one to become idle (a request finishing) up to {@code model-load-wait}, then fails
 * with {@link ModelMemoryBudgetException}. A model's bytes are released when its native resources are freed (an
 * unload, or the last request of a swapped-out version leaving), so a version draining after a swap still counts.
 *
 * <p>Lock order: a model id's slot, then this, then a {@link LoadedModel}; nothing here takes a slot's lock.
 * Thread-safe.
 */
final class ModelMemory {

    private static final Logger LOG = Logger.getLogger(ModelMemory.class);

    private final long budget; // Long.MAX_VALUE: unlimited
    private final Set<String> pinned;
    private final long waitNanos;
    private final int logitsBytesPerVocabEntry; // max-batch-size x 4 bytes
    private final List<LoadedModel> resident = new ArrayList<>(); // guarded by this: loaded, not freed yet
    private long used; // guarded by this: bytes of resident models plus reservations of loads under way

    ModelMemory(long budget, Set<String> pinned, long waitNanos, int maxBatchSize) {
        this.budget = budget <= 0 ? Long.MAX_VALUE : budget;
        this.pinned = Set.copyOf(pinned);
        this.waitNanos = waitNanos;
        this.logitsBytesPerVocabEntry = maxBatchSize * Float.BYTES;
    }

    /**
     * The bytes {@code model} will hold when loaded: model.onnx and model.onnx.data (weights and initializers, read
     * through links), plus the logits buffer its scheduler keeps (max-batch-size x vocab x 4 bytes).
     */
    long estimate(ServedModel model) {
        return estimate(model.directory(), model.vocabSize(), logitsBytesPerVocabEntry / Float.BYTES);
    }

    /** {@link #estimate(ServedModel)} for an export directory, public for tests through {@link OnnxTextGenerator}. */
    static long estimate(Path dir, int vocabSize, int maxBatchSize) {
        long bytes = 0;
        for (String file : List.of(ExportCheck.MODEL_FILE, ExportCheck.MODEL_FILE + ".data")) {
            Path f = dir.resolve(file);
            try {
                if (Files.isRegularFile(f)) {
                    bytes += Files.size(f);
                }
            } catch (IOException e) {
                // unreadable: ExportCheck or the load says so
            }
        }
        return bytes + (long) Math.max(vocabSize, 0) * maxBatchSize * Float.BYTES;
    }

    boolean limited() {
        return budget != Long.MAX_VALUE;
    }

    long budget() {
        return budget;
    }

    boolean pinned(String id) {
        return pinned.contains(id);
    }

    synchronized long used() {
        return used;
    }

    /** The ids of the models in memory now (a swapped-out version still draining included), LRU first. */
    synchronized List<String> residentIds() {
        return resident.stream()
                .sorted(java.util.Comparator.comparingLong(LoadedModel::lastUsed))
                .map(m -> m.info().id())
                .toList();
    }

    /**
     * Reserves {@code bytes} for loading {@code id}, unloading idle models (LRU first, never pinned ones) to make room,
     * and waiting for one to become idle when all are busy. Give the reservation back with {@link #cancel} when the
     * load fails, or hand it to the model with {@link #loaded}.
     *
     * @throws ModelInvalidException      when the model alone is larger than the whole budget
     * @throws ModelMemoryBudgetException when no room was made within the wait
     */
    synchronized void reserve(String id, long bytes) {
        if (bytes > budget) {
            throw new ModelInvalidException("model " + id + " needs about " + bytes
                    + " bytes, more than the whole kotune.inference.models-memory-budget (" + budget
                    + " bytes): raise the budget");
        }
        long deadline = System.nanoTime() + waitNanos;
        boolean waited = false;
        while (used + bytes > budget) {
            LoadedModel victim = leastRecentlyUsedIdle();
            if (victim != null) {
                if (victim.retireIfIdle()) { // frees it now: freed() (re-entrant) gives its bytes back
                    LOG.infof(
                            "unloaded model %s (%d bytes, idle) to make room for %s under the memory budget of %d bytes",
                            victim.info().id(), victim.bytes(), id, budget);
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ModelMemoryBudgetException(
                        "model " + id
                                + " cannot be loaded now: the memory budget (kotune.inference.models-memory-budget"
                                + " = " + budget + " bytes, " + used + " in use) is held by models with requests in"
                                + " flight or pinned, and none became idle within " + waitNanos / 1_000_000 + " ms",
                        Math.max(1, (int) Math.min(60, TimeUnit.NANOSECONDS.toSeconds(waitNanos))));
            }
            if (!waited) {
                LOG.infof("model %s waits for room under the memory budget (%d of %d bytes in use)", id, used, budget);
                waited = true;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelMemoryBudgetException("interrupted while waiting for room to load model " + id, 1);
            }
        }
        used += bytes;
    }

    /** Gives back a reservation whose load failed. */
    synchronized void cancel(long bytes) {
        used -= bytes;
        notifyAll();
    }

    /** The reservation of {@code model}'s bytes now belongs to it, until it is freed. */
    synchronized void loaded(LoadedModel model) {
        resident.add(model);
    }

    /** {@code model}'s native resources were freed: its bytes are free again. */
    synchronized void freed(LoadedModel model) {
        if (resident.remove(model)) {
            used -= model.bytes();
        }
        notifyAll();
    }

    /** A model's last request left: a waiting load may unload it now. */
    synchronized void idle() {
        notifyAll();
    }

    private LoadedModel leastRecentlyUsedIdle() {
        LoadedModel best = null;
        for (LoadedModel m : resident) {
            if (!pinned.contains(m.info().id()) && m.evictable() && (best == null || m.lastUsed() < best.lastUsed())) {
                best = m;
            }
        }
        return best;
    }
}
