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
        if (!JOB_ID.matcher(jobId).matches()) {
            return refuse(jobId, "job id is not [A-Za-z0-9._-]{1,64}, so it cannot be a model id");
        }
        if (exported.getExportPath().isBlank()) {
            return refuse(jobId, "the event has no export_path");
        }
        Path dir;
        try {
            dir = home.resolve(exported.getExportPath()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return refuse(jobId, "export_path " + exported.getExportPath() + " is not a path: " + e.getMessage());
        }
        Optional<ServedModel> read = catalog.readExport(jobId, dir);
        if (read.isEmpty()) {
            return refuse(jobId, "no readable " + ModelCatalog.METADATA_FILE + " in " + dir);
        }
        ServedModel model = read.get().withProvenance(jobId, exported.getStep());
        if (!model.jobId().equals(jobId)) {
            LOG.warnf(
                    "export %s says it comes from job %s; serving it as model %s, the job of the event",
                    dir, model.jobId(), jobId);
        }
        try {
            ExportCheck.check(model, exported.getTokenizerSha256());
        } catch (ModelInvalidException e) {
            return refuse(jobId, e.getMessage());
        }
        Optional<ServedModel> old = catalog.register(model);
        registered.incrementAndGet();
        if (old.isPresent() && !old.get().sameVersion(model)) {
            LOG.infof(
                    "model %s now serves %s (step %d; was %s)",
                    jobId, dir, model.step(), old.get().directory());
        } else if (old.isEmpty()) {
            LOG.infof(
                    "model %s registered from %s (step %d, %s graph)",
                    jobId, dir, model.step(), model.graphFlavor().isEmpty() ? "unknown" : model.graphFlavor());
        }
        generator.preload(model);
        return Optional.of(model);
    }

    /** Exports registered / refused since start. */
    public long[] counts() {
        return new long[] {registered.get(), refused.get()};
    }

    @PreDestroy
    void close() {
        worker.shutdownNow();
    }

    private Optional<ServedModel> refuse(String jobId, String why) {
        refused.incrementAndGet();
        LOG.warnf("not serving the export of job %s: %s", jobId, why);
        return Optional.empty();
    }
}
