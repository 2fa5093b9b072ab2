package dev.kotune.inference.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Kafka topic names this service reads ({@code kotune.topics.*}, shared with the other services). Immutable. */
@ConfigMapping(prefix = "kotune.topics")
public interface TopicsConfig {

    /** Lifecycle facts of training jobs (TrainingEvent envelopes, key = job id), e.g. "kotune.training.events". */
    @WithDefault("kotune.training.events")
    String events();
}
