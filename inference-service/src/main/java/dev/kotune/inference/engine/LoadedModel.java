package dev.kotune.inference.engine;

import dev.kotune.engine.BatchScheduler;
import dev.kotune.engine.OnnxModel;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.tokenization.KoTokenizer;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * One loaded version of a model: its ONNX Runtime session ({@link OnnxModel}), its tokenizer and its
 * continuous-batching {@link BatchScheduler}, shared by every request on that version. Reference-counted: each request {@link #acquire}s it and {@link #release}s it when done;
 * once {@link #retire}d (a newer export replaced it) it takes no new requests and frees its native resources when
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
    private int references; // guarded by this
    private boolean retired; // guarded by this
    private boolean closed; // guarded by this

    LoadedModel(
            ServedModel info,
            OnnxModel onnx,
            KoTokenizer tokenizer,
            Instant loadedAt,
            BatchScheduler.Options options,
            BatchScheduler.Observer observer) {
        this.info = info;
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

    /** Takes a reference for one request; false once retired (the caller looks up the current version again). */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        references++;
        return true;
    }

    /** Gives a request's reference back; the last one out of a retired version closes it. */
    void release() {
        boolean close;
        synchronized (this) {
            if (references == 0) {
                throw new IllegalStateException("release without acquire on " + info.id());
            }
            references--;
            close = retired && references == 0 && !closed;
            closed |= close;
        }
        if (close) {
            free();
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
    }
}
