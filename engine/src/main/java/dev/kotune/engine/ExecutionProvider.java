package dev.kotune.engine;

import java.util.Locale;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
    /** The default: ONNX Runtime's CPU provider (MLAS kernels). */
    CPU,
    /** NVIDIA CUDA; needs the onnxruntime_gpu build (Maven profile {@code gpu}); falls back to CPU with a log line. */
    CUDA,
    /** CUDA when this build has it and a GPU answers, else CPU. */
    AUTO;

    public static ExecutionProvider parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("execution provider must be one of cpu, cuda, auto; got '" + s + "'");
        }
    }
}
