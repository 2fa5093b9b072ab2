package dev.kotune.inference.events;

import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.engine.OnnxTextGenerator;
import dev.kotune.inference.models.ExportCheck;
import dev.kotune.inference.models.ModelCatalog;
import dev.kotune.proto.training.v1.CheckpointExported;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Turns {@code CheckpointExported} facts into served models, on its own thread so the Kafka consumer never waits:
 * the export directory (relative paths resolve against {@code kotune.home}) is read and checked (kotune.json parses,
 * model.onnx and tokenizer.json present, the tokenizer's sha256 equals kotune.json's and the event's), then
 * registered in the {@link ModelCatalog} as model id = job id, replacing an earlier export of the same job
 * atomically; if that id is loaded, the new export is loaded at once and swapped in. A broken export is logged and
 * not registered. Thread-safe.
 */
@ApplicationScoped
public class ExportRegistrar {

    private static final Logger LOG = Logger.getLogger(ExportRegistrar.class);
    /** The job id rule of training_events.proto; a model id must be a safe name. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ModelCatalog catalog;
    private final OnnxTextGenerator generator;
    private final Path home;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kotune-export-registrar");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong registered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final java.util.Map<String, Rejection> rejections = new java.util.concurrent.ConcurrentHashMap<>();

    public ExportRegistrar(
            ModelCatalog catalog,
            OnnxTextGenerator generator,
            @ConfigProperty(name = "kotune.home", defaultValue = "./.kotune/home") Path home) {
        this.catalog = catalog;
        this.generator = generator;
        this.home = home.toAbsolutePath().normalize();
    }

    /** Registers {@code exported} of {@code jobId} later, on the registrar's thread. */
    public void submit(String jobId, CheckpointExported exported) {
        worker.execute(() -> {
            try {
                register(jobId, exported);
            } catch (RuntimeException e) {
                refused.incrementAndGet();
                LOG.errorf(e, "registering the export of job %s failed", jobId);
            }
        });
    }

    /**
     * Checks and registers now.
     *
     * @return the registered model; empty when the export was refused (logged)
     */
    public Optional<ServedModel> register(String jobId, CheckpointExported exported) {
        if (exported.getExportPath().isBlank()) {
            return refuse(jobId, "", "the event has no export_path");
        }
        Path dir;
        try {
            dir = home.resolve(exported.getExportPath()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return refuse(jobId, exported.getExportPath(), "export_path is not a path: " + e.getMessage());
        }
        // loaded now: load the new version before it replaces the old (a broken one leaves the old serving);
        // not loaded: register after the file checks, it loads on its first request
        boolean eager = generator.current(jobId).isPresent();
        return install(jobId, dir, exported.getStep(), exported.getTokenizerSha256(), eager);
    }

    /**
     * Checks the export in {@code dir} and serves it as model {@code id} from now on.
     *
     * @param step            the training step to report when kotune.json has none
     * @param announcedSha256 the tokenizer sha256 an event announced; empty when none
     * @param load            load it now and swap it in, so that an export ONNX Runtime cannot load is refused
     *                        and the version serving now keeps serving
     * @return the model now served; empty when refused (logged, and kept for {@link #rejections})
     */
    public Optional<ServedModel> install(String id, Path dir, long step, String announcedSha256, boolean load) {
        if (!JOB_ID.matcher(id).matches()) {
            return refuse(id, dir.toString(), "the id is not [A-Za-z0-9._-]{1,64}, so it cannot be a model id");
        }
        Optional<ServedModel> read = catalog.readExport(id, dir);
        if (read.isEmpty()) {
            return refuse(id, dir.toString(), "no readable " + ModelCatalog.METADATA_FILE + " in " + dir);
        }
        ServedModel model = read.get().withProvenance(id, step);
        if (!model.jobId().equals(id)) {
            LOG.warnf(
                    "export %s says it comes from job %s; serving it as model %s, the job of the event",
                    dir, model.jobId(), id);
        }
        try {
            ExportCheck.check(model, announcedSha256);
        } catch (ModelInvalidException e) {
            return refuse(id, dir.toString(), e.getMessage());
        }
        java.util.concurrent.atomic.AtomicReference<Optional<ServedModel>> old =
                new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
        if (load) {
            try {
                generator.install(model, () -> old.set(catalog.register(model)));
            } catch (ModelInvalidException e) {
                return refuse(id, dir.toString(), e.getMessage());
            }
        } else {
            old.set(catalog.register(model));
        }
        registered.incrementAndGet();
        rejections.remove(id);
        if (old.get().isPresent() && !old.get().get().sameVersion(model)) {
            LOG.infof(
                    "model %s now serves %s (step %d; was %s)",
                    id, dir, model.step(), old.get().get().directory());
        } else if (old.get().isEmpty()) {
            LOG.infof(
                    "model %s registered from %s (step %d, %s graph)",
                    id, dir, model.step(), model.graphFlavor().isEmpty() ? "unknown" : model.graphFlavor());
        }
        if (!load) {
            generator.preload(model);
        }
        return Optional.of(model);
    }

    /**
     * The last refused export of a model id, until one of that id is served.
     *
     * @param path   the export directory offered
     * @param reason why it was refused (what to fix)
     * @param at     when
     */
    public record Rejection(String path, String reason, java.time.Instant at) {}

    /** The last refusal per model id since start (cleared when that id serves a new export). */
    public java.util.Map<String, Rejection> rejections() {
        return new java.util.TreeMap<>(rejections);
    }

    /** Exports registered / refused since start. */
    public long[] counts() {
        return new long[] {registered.get(), refused.get()};
    }

    @PreDestroy
    void close() {
        worker.shutdownNow();
    }

    private Optional<ServedModel> refuse(String id, String path, String why) {
        refused.incrementAndGet();
        rejections.put(id, new Rejection(path, why, java.time.Instant.now()));
        LOG.warnf("not serving the export %s as model %s: %s", path, id, why);
        return Optional.empty();
    }
}
