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

    /** The job's record, if it was accepted. */
    public Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Every known job. */
    public Collection<JobRecord> all() {
        return List.copyOf(jobs.values());
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

    /** {@code $KOTUNE_HOME/jobs/{jobId}}. */
    public Path jobDir(String jobId) {
        return store.jobDir(jobId);
    }
}
