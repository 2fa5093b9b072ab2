package dev.kotune.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the trainer service ({@code kotune.trainer.*}). Immutable, thread-safe. */
@ConfigMapping(prefix = "kotune.trainer")
public interface TrainerConfig {

    /** Kafka consumer group of the jobs topic; every trainer replica joins it. */
    @WithDefault("kotune-trainers")
    String groupId();

    /** The envelope's {@code producer} on every event this service publishes. */
    @WithDefault("trainer-service")
    String producer();

    /** How long to wait for the broker to acknowledge one published event before giving up on the record. */
    @WithDefault("30s")
    Duration sendTimeout();

    /** How many recent event ids are remembered to drop redelivered records (plus every accepted job's). */
    @WithDefault("10000")
    int dedupCapacity();
}
