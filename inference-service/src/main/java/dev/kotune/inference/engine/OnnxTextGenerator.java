package dev.kotune.inference.engine;

import ai.onnxruntime.OrtException;
import dev.kotune.engine.BatchScheduler;
import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.ParamProblem;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.InferenceConfig;
import dev.kotune.inference.SchedulerMetrics;
import dev.kotune.inference.TextGenerator;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelMemoryBudgetException;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.models.ExportCheck;
import dev.kotune.tokenization.EncodeOptions;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.TokenEncoding;
import dev.kotune.tokenization.TokenOffset;
import dev.kotune.tokenization.TokenizationException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The generator: exported models on ONNX Runtime through the {@code engine} library, with the export's own
 * tokenizer. A model is loaded on its first request (after {@link ExportCheck}: files present, tokenizer sha256 as
 * kotune.json says) and kept; when the catalog hands over a different version of an id (a new export of the same job,
 * or a rewritten kotune.json) the new version is loaded and swapped in atomically, and the old one is closed once
 * the requests still running on it are done. {@link #preload} does the same ahead of traffic. Each loaded version has
 * one continuous-batching {@link BatchScheduler} (the engine's): every request on it joins the running batch at the
 * next decode step and leaves when it finishes; the limits are kotune.inference.max-batch-size, max-tokens-in-flight,
 * max-waiting and max-prefill-tokens. A load failure is remembered for that version and answered again at once for
 * 10 s (then tried again, in case the export was fixed). Thread-safe.
 */
@ApplicationScoped
public class OnnxTextGenerator implements TextGenerator {

    private static final Logger LOG = Logger.getLogger(OnnxTextGenerator.class);
    /** How long a version that failed to load is answered from memory before it is tried again. */
    private static final long RETRY_AFTER_NANOS = 10_000_000_000L;

    private final EngineOptions engineOptions;
    private final BatchScheduler.Options schedulerOptions;
    private final SchedulerMetrics metrics;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final ModelMemory memory;
    /**
     * Opens ONNX Runtime sessions and tokenizers, one at a time, off the request and scheduler threads: the native
     * allocations of every load come from one thread's malloc arena, so memory an unload frees is reused by the next
     * load instead of staying in another thread's arena (RSS stays flat while models come and go).
     */
    private final java.util.concurrent.ExecutorService loader =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "kotune-model-loader");
                t.setDaemon(true);
                return t;
            });

    private final LoadedModel.Hooks hooks;

    /** Everything about one model id; guarded by itself. */
    private static final class Slot {
        /** Written under the slot's lock; read without it by gauges and listings (never blocked by a load). */
        volatile LoadedModel current;

        ServedModel failedVersion;
        RuntimeException failure;
        long failedAt;
        /** Versions an {@link #install} replaced: a request that resolved one just before the swap runs on current. */
        final java.util.Deque<ServedModel> superseded = new java.util.ArrayDeque<>();

        boolean wasSuperseded(ServedModel version) {
            return superseded.stream().anyMatch(version::sameVersion);
        }

        void supersede(ServedModel version) {
            superseded.addFirst(version);
            while (superseded.size() > 16) {
                superseded.removeLast();
            }
        }

        void failed(ServedModel version, RuntimeException e) {
            failedVersion = version;
            failure = e;
            failedAt = System.nanoTime();
        }

        /** The remembered load failure of {@code version}, if it is recent; a fixed export gets another try. */
        RuntimeException recentFailure(ServedModel version) {
            return version.sameVersion(failedVersion) && System.nanoTime() - failedAt < RETRY_AFTER_NANOS
                    ? failure
                    : null;
        }

        int running() {
            LoadedModel m = current;
            return m == null ? 0 : m.scheduler().running();
        }

        int waiting() {
            LoadedModel m = current;
            return m == null ? 0 : m.scheduler().waiting();
        }

        /** The version in memory that takes requests now; null when none (never loaded, or unloaded). */
        LoadedModel resident() {
            LoadedModel m = current;
            return m == null || m.isRetired() ? null : m;
        }
    }

    public OnnxTextGenerator(InferenceConfig config, SchedulerMetrics metrics) {
        this.engineOptions = EngineOptions.defaults()
                .withProvider(config.executionProvider())
                .withThreads(config.intraOpThreads(), 0);
        this.schedulerOptions = new BatchScheduler.Options(
                config.maxBatchSize(),
                config.maxTokensInFlight(),
                config.maxWaiting(),
                config.maxPrefillTokens()); // refuses values out of range, naming them
        this.metrics = metrics;
        this.memory = new ModelMemory(
                config.modelsMemoryBudget().map(b -> b.asLongValue()).orElse(0L),
                java.util.Set.copyOf(config.pinnedModels().orElse(List.of())),
                config.modelLoadWait().toNanos(),
                config.maxBatchSize());
        this.hooks = new LoadedModel.Hooks() {
            @Override
            public void idle(LoadedModel model) {
                memory.idle();
            }

            @Override
            public void freed(LoadedModel model) {
                memory.freed(model);
                metrics.modelUnloaded(model.info().id());
            }
        };
        metrics.memoryGauges(
                memory::used,
                memory.limited() ? memory.budget() : -1,
                () -> memory.residentIds().size());
        if (memory.limited()) {
            LOG.infof(
                    "models memory budget: %d bytes (least recently used idle models are unloaded), pinned: %s",
                    memory.budget(), config.pinnedModels().orElse(List.of()));
        }
        LOG.infof(
                "generation on ONNX Runtime (%s, intra-op threads %s), continuous batching per model: %s",
                config.executionProvider(),
                config.intraOpThreads() == 0 ? "default" : config.intraOpThreads(),
                schedulerOptions);
    }

    @Override
    public Generation start(ServedModel model, Prompt prompt, SamplingParams params, BooleanSupplier cancelled) {
        LoadedModel loaded = acquire(slot(model.id()), model);
        int[] ids;
        try {
            ids = promptIds(loaded, prompt);
        } catch (RuntimeException e) {
            loaded.release();
            throw e;
        }
        return ScheduledGeneration.start(loaded, ids, params, cancelled); // owns the reference from here
    }

    @Override
    public List<Token> tokenize(ServedModel model, String text, boolean addSpecialTokens) {
        LoadedModel loaded = acquire(slot(model.id()), model);
        try {
            TokenEncoding enc;
            try {
                enc = loaded.tokenizer().encode(text, new EncodeOptions(addSpecialTokens, false, true));
            } catch (InvalidInputException e) {
                throw new InvalidParamsException(
                        List.of(new ParamProblem("prompt", "", "text the model's tokenizer accepts", e.getMessage())));
            }
            List<Token> out = new java.util.ArrayList<>(enc.ids().length);
            for (int i = 0; i < enc.ids().length; i++) {
                TokenOffset o = i < enc.offsets().size() ? enc.offsets().get(i) : new TokenOffset(0, 0);
                int from = Math.max(0, Math.min(o.start(), text.length()));
                int to = Math.max(from, Math.min(o.end(), text.length()));
                out.add(new Token(
                        enc.ids()[i], text.substring(from, to), utf8Length(text, from), utf8Length(text, to)));
            }
            return out;
        } finally {
            loaded.release();
        }
    }

    @Override
    public String detokenize(ServedModel model, int[] ids) {
        LoadedModel loaded = acquire(slot(model.id()), model);
        try {
            int vocab = loaded.tokenizer().info().vocabSize();
            List<ParamProblem> problems = new java.util.ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= vocab) {
                    problems.add(ParamProblem.of("tokens[" + i + "]", ids[i], "a token id in [0, " + vocab + ")"));
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidParamsException(problems);
            }
            return loaded.tokenizer().decode(ids, true);
        } finally {
            loaded.release();
        }
    }

    /** UTF-8 bytes of {@code s[0, end)} (end in UTF-16 code units). */
    static int utf8Length(String s, int end) {
        return s.substring(0, end).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static int[] promptIds(LoadedModel model, Prompt p) {
        if (p.isIds()) {
            return p.ids().stream().mapToInt(Integer::intValue).toArray();
        }
        try {
            return model.tokenizer().encodeIds(p.text());
        } catch (InvalidInputException e) {
            throw new InvalidParamsException(
                    List.of(new ParamProblem("prompt", "", "text the model's tokenizer" + " accepts", e.getMessage())));
        }
    }

    /**
     * Loads {@code model} now if its id is already loaded in another version, so the swap happens before the next
     * request instead of during it. Does nothing when the id is not loaded (it loads on first use) or this version
     * is already in. Failures are logged and remembered.
     */
    public void preload(ServedModel model) {
        Slot slot = slot(model.id());
        synchronized (slot) {
            if (slot.current == null || slot.current.info().sameVersion(model)) {
                return;
            }
        }
        try {
            LoadedModel fresh = load(model); // holds one reference until it is in its slot
            LoadedModel old;
            synchronized (slot) {
                if (slot.current != null && slot.current.info().sameVersion(model)) {
                    fresh.retire(); // a request loaded it meanwhile
                    fresh.release();
                    return;
                }
                old = slot.current;
                slot.current = fresh;
            }
            fresh.release();
            if (old != null) {
                old.retire();
                LOG.infof(
                        "swapped model %s: %s -> %s (requests in flight finish on the old one)",
                        model.id(), old.info().directory(), model.directory());
            }
        } catch (ModelMemoryBudgetException e) {
            LOG.warnf("could not preload model %s: %s", model.id(), e.getMessage());
        } catch (RuntimeException e) {
            synchronized (slot) {
                slot.failed(model, e);
            }
            LOG.warnf("could not preload model %s from %s: %s", model.id(), model.directory(), e.getMessage());
        }
    }

    /**
     * Loads {@code model} now and swaps it in for its id, calling {@code publish} (the catalog's registration) under
     * the same lock, so a request sees either the old version with the old entry or the new with the new. Requests
     * in flight finish on the old version, which is closed once they are done. A version that does not load throws
     * {@link ModelInvalidException} with the reason, and nothing changes: the old version keeps serving.
     */
    public void install(ServedModel model, Runnable publish) {
        Slot slot = slot(model.id());
        LoadedModel fresh = load(model); // throws: nothing changed; holds one reference until it is in its slot
        LoadedModel old;
        synchronized (slot) {
            publish.run();
            old = slot.current;
            slot.current = fresh;
            slot.failedVersion = null;
            slot.failure = null;
            if (old != null) {
                slot.supersede(old.info());
            }
        }
        fresh.release();
        if (old != null) {
            old.retire();
            LOG.infof(
                    "swapped model %s: %s -> %s (requests in flight finish on the old one)",
                    model.id(), old.info().directory(), model.directory());
        }
    }

    /** The version of {@code modelId} that answers now; empty when it is not loaded. */
    public Optional<ServedModel> current(String modelId) {
        Slot slot = slots.get(modelId);
        if (slot == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(slot.resident()).map(LoadedModel::info);
    }

    @Override
    public Optional<Instant> loadedAt(String modelId) {
        Slot slot = slots.get(modelId);
        if (slot == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(slot.resident()).map(LoadedModel::loadedAt);
    }

    @Override
    public Map<String, String> loaded() {
        Map<String, String> out = new TreeMap<>();
        slots.forEach((id, slot) -> {
            LoadedModel m = slot.resident();
            if (m != null) {
                out.put(id, m.onnx().provider().name());
            }
        });
        return out;
    }

    /** Sequences running and requests waiting on {@code modelId}: {running, waiting}. */
    public int[] activity(String modelId) {
        Slot slot = slots.get(modelId);
        return slot == null ? new int[2] : new int[] {slot.running(), slot.waiting()};
    }

    @PreDestroy
    void close() {
        loader.shutdownNow();
        slots.values().forEach(slot -> {
            synchronized (slot) {
                if (slot.current != null) {
                    slot.current.retire();
                    slot.current = null;
                }
            }
        });
    }

    private Slot slot(String id) {
        return slots.computeIfAbsent(id, k -> {
            Slot slot = new Slot();
            metrics.gauges(k, slot::running, slot::waiting);
            return slot;
        });
    }

    /**
     * The loaded version of {@code model} with a reference taken; loads it (and swaps) under the slot's lock, so
     * concurrent requests for a model that is not loaded wait for one load. A version the memory budget unloaded is
     * loaded again. Other models keep serving meanwhile (their slots are not locked).
     */
    private LoadedModel acquire(Slot slot, ServedModel model) {
        LoadedModel old = null;
        LoadedModel current;
        synchronized (slot) {
            current = slot.current;
            ServedModel wanted = model;
            if (current != null && !current.info().sameVersion(model) && slot.wasSuperseded(model)) {
                // the request resolved the catalog just before an install swapped this id: run on the new version
                wanted = current.info();
            }
            if (current != null && current.info().sameVersion(wanted) && current.acquire()) {
                // loaded: serve on it
            } else {
                if (current != null && current.isRetired()) {
                    slot.current = null; // unloaded under the memory budget
                    current = null;
                }
                RuntimeException failure = slot.recentFailure(wanted);
                if (failure != null) {
                    throw failure;
                }
                LoadedModel fresh;
                try {
                    fresh = load(wanted); // with the request's reference taken
                } catch (ModelMemoryBudgetException e) {
                    throw e; // no room now: not the export's fault, the next request tries again
                } catch (RuntimeException e) {
                    slot.failed(wanted, e);
                    throw e;
                }
                old = current;
                slot.current = fresh;
                slot.failedVersion = null;
                slot.failure = null;
                current = fresh;
            }
        }
        if (old != null) {
            old.retire();
            LOG.infof(
                    "swapped model %s: %s -> %s (requests in flight finish on the old one)",
                    model.id(), old.info().directory(), model.directory());
        }
        return current;
    }

    /** The memory budget's view for tests and admin: model ids in memory now, least recently used first. */
    public List<String> residentModels() {
        return memory.residentIds();
    }

    /** The estimated bytes of the export in {@code dir} as the memory budget counts them (vocab from kotune.json). */
    public static long estimateBytes(java.nio.file.Path dir, int vocabSize, int maxBatchSize) {
        return ModelMemory.estimate(dir, vocabSize, maxBatchSize);
    }

    /**
     * Checks the export, reserves its bytes under the memory budget (unloading idle models, or waiting), then opens
     * its tokenizer and its ONNX Runtime session. Returns it with one reference taken (so the budget cannot unload it
     * before it is used): the caller releases it.
     */
    LoadedModel load(ServedModel model) {
        ExportCheck.check(model, null);
        long bytes = memory.estimate(model);
        memory.reserve(model.id(), bytes); // throws ModelMemoryBudgetException: nothing reserved
        java.util.concurrent.Future<LoadedModel> opening;
        try {
            opening = loader.submit(() -> open(model, bytes));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            memory.cancel(bytes);
            throw new dev.kotune.inference.domain.ModelUnavailableException(
                    "shutting down: model " + model.id() + " is not loaded");
        }
        LoadedModel loaded = null;
        boolean interrupted = false;
        while (loaded == null) {
            try {
                loaded = opening.get(); // waits out an interrupt too: a session opened for nobody would leak
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                memory.cancel(bytes);
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new ModelInvalidException(
                        "model " + model.id() + " does not load: " + e.getCause(), e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        loaded.acquire();
        memory.loaded(loaded);
        return loaded;
    }

    private LoadedModel open(ServedModel model, long bytes) {
        long t0 = System.nanoTime();
        KoTokenizer tokenizer;
        try {
            tokenizer = KoTokenizer.load(model.directory().resolve(ExportCheck.TOKENIZER_FILE));
        } catch (TokenizationException | java.io.UncheckedIOException e) {
            // tokenizer.json that is not JSON, or not a tokenizer
            throw new ModelInvalidException(
                    "model " + model.id() + ": its tokenizer.json does not load: " + e.getMessage(), e);
        }
        OnnxModel onnx;
        try {
            onnx = OnnxModel.load(model.directory(), engineOptions);
        } catch (IOException | OrtException | RuntimeException e) {
            tokenizer.close();
            throw new ModelInvalidException(
                    "model " + model.id() + ": ONNX Runtime cannot load "
                            + model.directory().resolve(ExportCheck.MODEL_FILE) + ": " + e.getMessage(),
                    e);
        }
        int tokenizerVocab = tokenizer.info().vocabSize();
        int modelVocab = onnx.info().vocabSize();
        if (tokenizerVocab > modelVocab) {
            tokenizer.close();
            try {
                onnx.close();
            } catch (OrtException ignored) {
                // closing a session we just opened; nothing to add
            }
            throw new ModelInvalidException("model " + model.id() + ": its tokenizer has " + tokenizerVocab
                    + " ids but the model only " + modelVocab + " (vocab_size): they do not belong together");
        }
        long nanos = System.nanoTime() - t0;
        metrics.modelLoaded(model.id(), nanos);
        LOG.infof(
                "loaded model %s from %s on %s in %d ms (vocab %d, tokenizer %d ids, context %d, ~%d bytes)",
                model.id(),
                model.directory(),
                onnx.provider(),
                nanos / 1_000_000,
                modelVocab,
                tokenizerVocab,
                onnx.info().contextLength(),
                bytes);
        return new LoadedModel(
                model, onnx, tokenizer, Instant.now(), schedulerOptions, metrics.observer(model.id()), bytes, hooks);
    }
}
