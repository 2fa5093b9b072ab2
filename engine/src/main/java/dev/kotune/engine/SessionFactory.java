package dev.kotune.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates an {@link OrtSession} for a model file with {@link EngineOptions}: all graph optimisations, the thread
 * counts, and the execution provider — CUDA when requested (or AUTO) and available, otherwise CPU with a log line
 * saying why. Stateless, thread-safe.
 */
final class SessionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

    /** A session and the provider it really runs on. */
    record Created(OrtSession session, ExecutionProvider provider) {}

    private SessionFactory() {}

    static Created create(OrtEnvironment env, Path model, EngineOptions opts) throws OrtException {
        ExecutionProvider actual = ExecutionProvider.CPU;
        if (opts.provider() != ExecutionProvider.CPU) {
            try (OrtSession.SessionOptions so = options(opts)) {
                if (tryCuda(so, opts)) {
                    actual = ExecutionProvider.CUDA;
                    return new Created(env.createSession(model.toString(), so), actual);
                }
            } catch (OrtException e) {
                log(opts, "CUDA session creation failed (" + e.getMessage() + ")");
            }
        }
        try (OrtSession.SessionOptions so = options(opts)) {
            return new Created(env.createSession(model.toString(), so), actual);
        }
    }

    /** Adds the CUDA provider; false (with a log line) when this build or machine cannot. */
    static boolean tryCuda(OrtSession.SessionOptions so, EngineOptions opts) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            log(opts, "this onnxruntime build has no CUDA provider (build with -Pgpu for onnxruntime_gpu)");
            return false;
        }
        try {
            so.addCUDA(opts.cudaDeviceId());
            return true;
        } catch (OrtException e) {
            log(opts, "CUDA provider unavailable on device " + opts.cudaDeviceId() + " (" + e.getMessage() + ")");
            return false;
        }
    }

    private static void log(EngineOptions opts, String why) {
        if (opts.provider() == ExecutionProvider.CUDA) {
            LOG.warn("CUDA requested but {}; falling back to CPU", why);
        } else {
            LOG.info("execution provider AUTO: {}; using CPU", why);
        }
    }

    private static OrtSession.SessionOptions options(EngineOptions opts) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (opts.intraOpThreads() > 0) {
            so.setIntraOpNumThreads(opts.intraOpThreads());
        }
        if (opts.interOpThreads() > 0) {
            so.setInterOpNumThreads(opts.interOpThreads());
        }
        if (opts.profilePrefix() != null) {
            so.enableProfiling(opts.profilePrefix());
        }
        for (Map.Entry<String, String> e : opts.sessionConfig().entrySet()) {
            so.addConfigEntry(e.getKey(), e.getValue());
        }
        return so;
    }
}
