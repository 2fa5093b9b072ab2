package dev.kotune.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Kafka topic names ({@code kotune.topics.*}), shared by every kotune producer and consumer; the channels in
 * application.properties take their topics from these keys. Immutable, thread-safe.
 */
@ConfigMapping(prefix = "kotune.topics")
public interface TopicsConfig {

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
