package dev.kotune.trainer.registry;

import dev.kotune.trainer.domain.JobRecord;
import dev.kotune.trainer.domain.JobState;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The jobs this trainer accepted: in memory, and on disk as {@code $KOTUNE_HOME/jobs/{job_id}/job.json} (written
 * atomically on every change), reloaded at start-up. Thread-safe: changes to one job are serialised.
 */
@ApplicationScoped
public class JobRegistry {

    private static final Logger LOG = Logger.getLogger(JobRegistry.class);

    /** The file counting a job's runs (see {@link #nextAttempt}). */
    public static final String ATTEMPTS_FILE = "attempts";

    private final JobStore store;
    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();

    /**
     * @param home {@code kotune.home}: root of kotune's files ({@code KOTUNE_HOME}; a PersistentVolume in
     *             Kubernetes); relative paths resolve against the working directory. (A plain property rather than
     *             a {@code @ConfigMapping} of the {@code kotune} root, which would claim every {@code kotune.*} key.)
     */
    public JobRegistry(@ConfigProperty(name = "kotune.home", defaultValue = "./.kotune/home") Path home) {
        this.store = new JobStore(home);
        try {
            for (JobRecord record : store.readAll()) {
                jobs.put(record.job().jobId(), record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the jobs under " + home, e);
        }
        LOG.infof("job registry at %s: %d job(s) on disk", store.jobDir(""), jobs.size());
    }

    /**
     * The job's record, if it was accepted: from memory, else from its job.json (replicas of one consumer group that
     * share {@code kotune.home} see each other's jobs when a partition moves between them).
     */
    public Optional<JobRecord> find(String jobId) {
        JobRecord known = jobs.get(jobId);
        if (known != null) {
            return Optional.of(known);
        }
        Path file = store.jobDir(jobId).resolve(JobStore.JOB_FILE);
        if (jobId.isEmpty() || !java.nio.file.Files.isRegularFile(file)) {
            return Optional.empty();
        }
        synchronized (this) {
            try {
                JobRecord read = store.read(file);
                jobs.putIfAbsent(jobId, read);
                return Optional.of(jobs.get(jobId));
            } catch (IOException e) {
                LOG.warnf("job %s: unreadable %s: %s", jobId, file, e.getMessage());
                return Optional.empty();
            }
        }
    }

    /** Every known job. */
    public Collection<JobRecord> all() {
        return List.copyOf(jobs.values());
    }

    /**
     * The job's record as its job.json says now (another replica sharing {@code kotune.home} may have moved it on);
     * the memory copy when the file cannot be read.
     */
    public Optional<JobRecord> reload(String jobId) {
        Path file = store.jobDir(jobId).resolve(JobStore.JOB_FILE);
        synchronized (this) {
            if (java.nio.file.Files.isRegularFile(file)) {
                try {
                    JobRecord read = store.read(file);
                    jobs.put(jobId, read);
                    return Optional.of(read);
                } catch (IOException e) {
                    LOG.warnf("job %s: unreadable %s: %s", jobId, file, e.getMessage());
                }
            }
            return Optional.ofNullable(jobs.get(jobId));
        }
    }

    /** Records a newly accepted job and writes its job.json. */
    public void accept(JobRecord record) throws IOException {
        synchronized (this) {
            store.write(record);
            jobs.put(record.job().jobId(), record);
        }
    }

    /** Moves a known job to {@code state} (no-op for unknown jobs or when already there) and rewrites job.json. */
    public JobRecord transition(String jobId, JobState state) throws IOException {
        synchronized (this) {
            JobRecord current = jobs.get(jobId);
            if (current == null || current.state() == state) {
                return current;
            }
            JobRecord next = current.withState(state, Instant.now());
            store.write(next);
            jobs.put(jobId, next);
            return next;
        }
    }

    /**
     * Counts one more run of the job and returns it (1 for the first): {@code jobs/{id}/attempts}, a decimal number,
     * so restarts of the trainer count too.
     */
    public int nextAttempt(String jobId) throws IOException {
        synchronized (this) {
            Path file = store.jobDir(jobId).resolve(ATTEMPTS_FILE);
            int previous = 0;
            if (java.nio.file.Files.isRegularFile(file)) {
                try {
                    previous = Integer.parseInt(
                            java.nio.file.Files.readString(file).trim());
                } catch (NumberFormatException e) {
                    LOG.warnf("job %s: unreadable %s; counting from 0", jobId, file);
                }
            }
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, Integer.toString(previous + 1));
            return previous + 1;
        }
    }

    /** {@code $KOTUNE_HOME/jobs/{jobId}}. */
    public Path jobDir(String jobId) {
        return store.jobDir(jobId);
    }
}
