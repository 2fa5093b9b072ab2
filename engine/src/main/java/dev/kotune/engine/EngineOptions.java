package dev.kotune.engine;

import java.util.Map;

/**
 * Session settings. Immutable, thread-safe.
 *
 * @param provider          requested provider, e.g. CPU
 * @param intraOpThreads    threads inside one op (matmul); 0 = ONNX Runtime's default (one per physical core)
 * @param interOpThreads    threads across independent ops; 0 = default (the graph runs sequentially anyway)
 * @param cudaDeviceId      GPU ordinal for CUDA, e.g. 0
 * @param sessionConfig     extra ORT session config entries, e.g. {"session.intra_op.allow_spinning": "0"}
 * @param profilePrefix     ONNX Runtime's per-op profiler writes {@code <prefix>_<date>.json} (see
 *                          {@link OnnxModel#endProfiling()}); null: off (the default; diagnostics only)
 */
public record EngineOptions(
        ExecutionProvider provider,
        int intraOpThreads,
        int interOpThreads,
        int cudaDeviceId,
        Map<String, String> sessionConfig,
        String profilePrefix) {

    public EngineOptions {
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException(
                    "intra_op_threads and inter_op_threads must be >= 0 (0 = ORT default), got " + intraOpThreads + ", "
                            + interOpThreads);
        }
        if (cudaDeviceId < 0) {
            throw new IllegalArgumentException("cuda_device_id must be >= 0, got " + cudaDeviceId);
        }
        sessionConfig = Map.copyOf(sessionConfig);
    }

    /** CPU, ORT's default thread counts. */
    public static EngineOptions defaults() {
        return new EngineOptions(ExecutionProvider.CPU, 0, 0, 0, Map.of(), null);
    }

    public EngineOptions withProvider(ExecutionProvider p) {
        return new EngineOptions(p, intraOpThreads, interOpThreads, cudaDeviceId, sessionConfig, profilePrefix);
    }

    public EngineOptions withThreads(int intra, int inter) {
        return new EngineOptions(provider, intra, inter, cudaDeviceId, sessionConfig, profilePrefix);
    }

    public EngineOptions withSessionConfig(Map<String, String> entries) {
        return new EngineOptions(provider, intraOpThreads, interOpThreads, cudaDeviceId, entries, profilePrefix);
    }

    public EngineOptions withProfiling(String prefix) {
        return new EngineOptions(provider, intraOpThreads, interOpThreads, cudaDeviceId, sessionConfig, prefix);
    }
}
