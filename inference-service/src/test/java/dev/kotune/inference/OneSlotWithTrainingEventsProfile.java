package dev.kotune.inference;

import dev.kotune.broker.KafkaBrokerTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The application following training events on a real KRaft broker (kafka-broker's shared test broker), with one
 * row in the batch and no waiting per model: {@link TrainingEventsTest} and {@link AdmissionTest} share this one
 * application start.
 */
public class OneSlotWithTrainingEventsProfile implements QuarkusTestProfile {

    /** The events topic of this profile (created on first use; the test broker auto-creates topics). */
    static final String TOPIC = "kotune.training.events.inference-test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "kotune.inference.follow-training-events",
                "true",
                "kotune.topics.events",
                TOPIC,
                "kotune.inference.max-batch-size",
                "1",
                "kotune.inference.max-waiting",
                "0");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaBrokerTestResource.class));
    }
}
