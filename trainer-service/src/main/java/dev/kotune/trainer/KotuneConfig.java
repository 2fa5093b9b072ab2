package dev.kotune.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Settings shared by every kotune service ({@code kotune.*}). Immutable, thread-safe. */
@ConfigMapping(prefix = "kotune")
public interface KotuneConfig {

    /**
     * Root of kotune's files ({@code KOTUNE_HOME}; a PersistentVolume in Kubernetes): {@code jobs/{job_id}/job.json},
     * checkpoints, exports, reports. Relative paths resolve against the working directory.
     */
    @WithDefault("./.kotune/home")
    Path home();

    /** Kafka topic names. */
    Topics topics();

    /** Kafka topic names, shared by producers and consumers. */
    interface Topics {
        /** Commands: TrainingJobSubmitted, TrainingJobCancelRequested (key = job id). */
        @WithDefault("kotune.training.jobs")
        String jobs();

        /** Lifecycle facts the trainer publishes (key = job id). */
        @WithDefault("kotune.training.events")
        String events();

        /** Records that could not be handled, with the reason in the {@code dead-letter-reason} header. */
        @WithDefault("kotune.training.dlq")
        String dlq();
    }
}
