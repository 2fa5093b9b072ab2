package dev.kotune.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kotune.engine.text.Detokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exported GPT-2 decoder loaded into one ONNX Runtime session ({@code ./kotune export} output, or any Optimum
 * {@code text-generation-with-past} export). Thread-safe: {@code OrtSession.run} may be called concurrently, so one
 * model serves many {@link Generator}s (each of which owns its own KV cache). Close it to free the session.
 */
public final class OnnxModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ExecutionProvider provider;
    private final ModelInfo info;
    private final Path dir;
    private final DirectBufferPool logitBuffers = new DirectBufferPool(4);
    private final KvNames kvNames;
    private final OnnxTensor
            keepLast; // logits_to_keep = [1], shared by every forward (read-only); null without the input

    private OnnxModel(OrtEnvironment env, OrtSession session, ExecutionProvider provider, ModelInfo info, Path dir) {
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.info = info;
        this.dir = dir;
        this.kvNames = KvNames.of(info.layers());
        this.keepLast = session.getInputNames().contains(LOGITS_TO_KEEP) ? keepOne(env) : null;
    }

    private static OnnxTensor keepOne(OrtEnvironment env) {
        try {
            return OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {1}), new long[] {1});
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create the logits_to_keep input", e);
        }
    }

    /** HF's {@code logits_to_keep} input of kotune exports: 1 = the LM head for the last position only. */
    static final String LOGITS_TO_KEEP = "logits_to_keep";

    /**
     * Whether the graph takes {@code logits_to_keep} (kotune exports do; Optimum's do not): then a prefill computes
     * the LM head for its last position only instead of every prompt position.
     */
    boolean keepsLastLogitsOnly() {
        return keepLast != null;
    }

    /** Adds {@code logits_to_keep = [1]} to {@code in} when the graph has it; returns the logits' positions (1 or t). */
    int keepLastLogits(java.util.Map<String, ai.onnxruntime.OnnxTensorLike> in, int t) {
        if (keepLast == null) {
            return t;
        }
        in.put(LOGITS_TO_KEEP, keepLast);
        return 1;
    }

    /** Loads {@code dirOrFile}: an export directory (with model.onnx) or a .onnx file. */
    public static OnnxModel load(Path dirOrFile, EngineOptions options) throws IOException, OrtException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("model.onnx") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(
                    file.toString(),
                    null,
                    "no ONNX model here; create one with: ./kotune export --checkpoint DIR --out " + dirOrFile);
        }
        Path dir = file.toAbsolutePath().getParent();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long t0 = System.nanoTime();
        SessionFactory.Created created = SessionFactory.create(env, file, options);
        try {
            ModelInfo info = ModelInfo.read(created.session(), dir);
            LOG.info(
                    "loaded {} on {} in {} ms ({} layers, {} heads × {}, vocab {}, context {})",
                    file,
                    created.provider(),
                    (System.nanoTime() - t0) / 1_000_000,
                    info.layers(),
                    info.heads(),
                    info.headSize(),
                    info.vocabSize(),
                    info.contextLength());
            return new OnnxModel(env, created.session(), created.provider(), info, dir);
        } catch (IOException | OrtException | RuntimeException e) {
            created.session().close();
            throw e;
        }
    }

    public static OnnxModel load(Path dirOrFile) throws IOException, OrtException {
        return load(dirOrFile, EngineOptions.defaults());
    }

    public ModelInfo info() {
        return info;
    }

    /** The provider the session really runs on (CPU after a CUDA fallback). */
    public ExecutionProvider provider() {
        return provider;
    }

    /** The export directory. */
    public Path dir() {
        return dir;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    DirectBufferPool logitBuffers() {
        return logitBuffers;
    }

    KvNames kvNames() {
        return kvNames;
    }

    /** The EOS ids a request stops at: its own, else the model's (ignore_eos is applied by the row). */
    int[] eosFor(SamplingParams params) {
        return (params.eosTokenIds().isEmpty() ? info.eosTokenIds() : params.eosTokenIds())
                .stream().mapToInt(Integer::intValue).toArray();
    }

    /** The pad id: the request's, else the model's pad, else its first EOS, else 0. */
    int padFor(SamplingParams params) {
        if (params.padTokenId() != null) {
            return params.padTokenId();
        }
        if (info.padTokenId() != null) {
            return info.padTokenId();
        }
        return info.eosTokenIds().isEmpty() ? 0 : info.eosTokenIds().get(0);
    }

    /** A generator for {@code prompts} (unpadded token ids; left-padded into one batch). */
    public Generator generator(
            List<int[]> prompts, SamplingParams config, Detokenizer detokenizer, TokenListener listener)
            throws OrtException {
        return new Generator(this, prompts, config, detokenizer, listener);
    }

    /** Runs {@link Generator} to the end: the small explicit loop {@code while (!done) step()}. */
    public List<GenerationResult> generate(
            List<int[]> prompts, SamplingParams config, Detokenizer detokenizer, TokenListener listener)
            throws OrtException {
        try (Generator g = generator(prompts, config, detokenizer, listener)) {
            while (!g.isDone()) {
                g.step();
            }
            return g.results();
        }
    }

    /** Stops ORT's profiler ({@link EngineOptions#profilePrefix()}) and returns the trace file it wrote. */
    public String endProfiling() throws OrtException {
        return session.endProfiling();
    }

    @Override
    public void close() throws OrtException {
        if (keepLast != null) {
            keepLast.close();
        }
        session.close();
        logitBuffers.close(); // idle logits buffers go back now, not at some later GC (a model swap would keep them)
    }
}
