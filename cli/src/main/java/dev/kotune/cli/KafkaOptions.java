package dev.kotune.cli;

import picocli.CommandLine.Option;

/** Kafka connection and topic options shared by the commands that talk to the training topics. */
public final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS). Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(
            names = "--jobs-topic",
            defaultValue = "kotune.training.jobs",
            description = "Topic of job commands. Default: ${DEFAULT-VALUE}.")
    String jobsTopic;

    @Option(
            names = "--events-topic",
            defaultValue = "kotune.training.events",
            description = "Topic of job lifecycle events. Default: ${DEFAULT-VALUE}.")
    String eventsTopic;

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String jobsTopic() {
        return jobsTopic;
    }

    public String eventsTopic() {
        return eventsTopic;
    }

    /** Options for code that builds them directly (the demo). */
    public static KafkaOptions of(String bootstrapServers) {
        KafkaOptions options = new KafkaOptions();
        options.bootstrapServers = bootstrapServers;
        options.jobsTopic = "kotune.training.jobs";
        options.eventsTopic = "kotune.training.events";
        return options;
    }
}
