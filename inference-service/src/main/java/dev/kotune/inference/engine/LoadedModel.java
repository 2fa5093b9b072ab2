package dev.kotune.inference.engine;

import dev.kotune.engine.BatchScheduler;
import dev.kotune.engine.OnnxModel;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.tokenization.KoTokenizer;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * One loaded version of a model: its ONNX Runtime session ({@link OnnxModel}), its tokenizer and its
 * continuous-batching {@link BatchScheduler}, shared by every request on that version. Reference-counted: each
 * request {@link #acquire}s it and {@link #release}s it when done; once {@link #retire}d (a newer export replaced it,
 * or the memory budget unloaded it: {@link #retireIfIdle}) it takes no new requests and frees its native resources when
 * the last request in flight releases it. Thread-safe.
 */
final class LoadedModel {

    private static final Logger LOG = Logger.getLogger(LoadedModel.class);

    private final ServedModel info;
    private final OnnxModel onnx;
    private final KoTokenizer tokenizer;
    private final TokenizerDetokenizer detokenizer;
    private final Instant loadedAt;
    private final BatchScheduler scheduler;
    private final long bytes;
    private final Hooks hooks;
    private volatile long lastUsed = System.nanoTime();
    private int references; // guarded by this
    private boolean retired; // guarded by this
    private boolean closed; // guarded by this

    LoadedModel(
            ServedModel info,
            OnnxModel onnx,
            KoTokenizer tokenizer,
            Instant loadedAt,
            BatchScheduler.Options options,
            BatchScheduler.Observer observer,
            long bytes,
            Hooks hooks) {
        this.info = info;
        this.bytes = bytes;
        this.hooks = hooks;
        this.onnx = onnx;
        this.tokenizer = tokenizer;
        this.detokenizer = new TokenizerDetokenizer(tokenizer);
        this.loadedAt = loadedAt;
        this.scheduler = new BatchScheduler(info.id(), onnx, options, observer);
    }

    /** The continuous-batching scheduler of this version: every request on it shares its decode steps. */
    BatchScheduler scheduler() {
        return scheduler;
    }

    ServedModel info() {
        return info;
    }

    OnnxModel onnx() {
        return onnx;
    }

    KoTokenizer tokenizer() {
        return tokenizer;
    }

    TokenizerDetokenizer detokenizer() {
        return detokenizer;
    }

    Instant loadedAt() {
        return loadedAt;
    }

    /** What the memory budget hears from a loaded version: its last request left, its resources were freed. */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void idle(LoadedModel model) {}

        default void freed(LoadedModel model) {}
    }

    /** The bytes the memory budget counts for this version (estimated from the export at load). */
    long bytes() {
        return bytes;
    }

    /** {@link System#nanoTime} of the last time a request took or gave back a reference (for the LRU). */
    long lastUsed() {
        return lastUsed;
    }

    /** Not retired and no request in flight: the memory budget may unload it. */
    synchronized boolean evictable() {
        return !retired && references == 0;
    }

    synchronized boolean isRetired() {
        return retired;
    }

    /**
     * Retires and frees this version now if no request is in flight (an unload under the memory budget).
     *
     * @return false when a request holds it, or it was already retired
     */
    boolean retireIfIdle() {
        synchronized (this) {
            if (retired || references > 0) {
                return false;
            }
            retired = true;
            closed = true;
        }
        free();
        return true;
    }

    /** Takes a reference for one request; false once retired (the caller looks up the current version again). */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        references++;
        lastUsed = System.nanoTime();
        return true;
    }

    /** Gives a request's reference back; the last one out of a retired version closes it. */
    void release() {
        boolean close;
        boolean idle;
        synchronized (this) {
            if (references == 0) {
                throw new IllegalStateException("release without acquire on " + info.id());
            }
            references--;
            lastUsed = System.nanoTime();
            close = retired && references == 0 && !closed;
            closed |= close;
            idle = references == 0;
        }
        if (close) {
            free();
        } else if (idle) {
            hooks.idle(this);
        }
    }

    /** Takes no new requests from now on; frees the native resources now if idle, else when the last one leaves. */
    void retire() {
        boolean close;
        synchronized (this) {
            retired = true;
            close = references == 0 && !closed;
            closed |= close;
        }
        if (close) {
            free();
        }
    }

    /** Requests in flight on this version (for tests and logs). */
    synchronized int references() {
        return references;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private void free() {
        scheduler.close(); // nothing runs on it any more: its last request released the version
        try {
            onnx.close();
        } catch (Exception e) {
            LOG.warnf("closing the ONNX session of %s (%s) failed: %s", info.id(), info.directory(), e.toString());
        }
        tokenizer.close();
        LOG.infof("unloaded model %s from %s", info.id(), info.directory());
        hooks.freed(this);
    }
}
