package dev.kotune.broker;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kafka server's classpath for the child JVM: absolute paths of {@code kafka_2.13} 4.1.1 and its runtime jars in
 * the local Maven repository, written at build time by maven-dependency-plugin into the resource
 * {@value #RESOURCE} next to this class. System property {@value #OVERRIDE_PROPERTY} (or environment variable
 * {@value #OVERRIDE_ENV}) replaces it, e.g. for a distribution that ships the jars elsewhere.
 *
 * <p>Stateless; thread-safe.
 */
final class KafkaServerClasspath {

    static final String RESOURCE = "kafka-server.classpath";
    static final String OVERRIDE_PROPERTY = "kotune.kafka.classpath";
    static final String OVERRIDE_ENV = "KOTUNE_KAFKA_CLASSPATH";

    private KafkaServerClasspath() {}

    /**
     * Returns the jars, each checked to exist.
     *
     * @throws IllegalStateException when the classpath is unknown or a jar is missing, with what to do about it
     */
    static List<Path> resolve() {
        String override = System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV));
        String text = override != null && !override.isBlank() ? override : readResource();
        List<Path> jars = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (String entry : text.trim().split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path jar = Path.of(entry.trim());
            jars.add(jar);
            if (!Files.exists(jar)) {
                missing.add(jar);
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("The Kafka server classpath is empty; rebuild kafka-broker"
                    + " (./mvnw -pl kafka-broker -am install) or set -D" + OVERRIDE_PROPERTY);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " Kafka server jar(s) are missing, e.g. " + missing.get(0)
                    + ". The classpath was recorded when kafka-broker was built; rebuild it on this machine"
                    + " (./mvnw -pl kafka-broker -am install) or point -D" + OVERRIDE_PROPERTY + " (env "
                    + OVERRIDE_ENV + ") at the jars of org.apache.kafka:kafka_2.13 and its runtime dependencies.");
        }
        return List.copyOf(jars);
    }

    private static String readResource() {
        try (InputStream in = KafkaServerClasspath.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Resource dev/kotune/broker/" + RESOURCE + " is missing: kafka-broker"
                        + " was not built with Maven (./mvnw -pl kafka-broker -am install), or set -D"
                        + OVERRIDE_PROPERTY);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read dev/kotune/broker/" + RESOURCE, e);
        }
    }
}
