package dev.kotune.inference.events;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kotune.inference.InferenceConfig;
import dev.kotune.proto.training.v1.TrainingEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows {@code kotune.topics.events} with a plain Kafka consumer on its own thread (when
 * {@code kotune.inference.follow-training-events} is on) and hands every {@code CheckpointExported} to the
 * {@link ExportRegistrar}. Each replica is its own consumer group ({@code events-group-prefix} + a random UUID) that
 * starts at the earliest offset and commits nothing: every replica sees every export, and a restarted one rebuilds
 * its catalogue by replaying the log. Records that do not parse and other facts are skipped; duplicates (same
 * event id) are handled once; a broker that is down is retried by the client without blocking anything else.
 * Thread-safe; the consumer is confined to its thread.
 */
@ApplicationScoped
public class TrainingEventsFollower {

    private static final Logger LOG = Logger.getLogger(TrainingEventsFollower.class);
    private static final int DEDUP_CAPACITY = 10_000;

    private final InferenceConfig config;
    private final TopicsConfig topics;
    private final Map<String, Object> kafka;
    private final ExportRegistrar registrar;
    private final String groupId;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong exports = new AtomicLong();
    private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DEDUP_CAPACITY;
        }
    };
    private volatile boolean closing;
    private volatile String lastError = "";
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public TrainingEventsFollower(
            InferenceConfig config,
            TopicsConfig topics,
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            ExportRegistrar registrar) {
        this.config = config;
        this.topics = topics;
        this.kafka = kafka;
        this.registrar = registrar;
        this.groupId = config.eventsGroupPrefix() + UUID.randomUUID();
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.followTrainingEvents()) {
            LOG.info("not following training events (kotune.inference.follow-training-events=false)");
            return;
        }
        thread = new Thread(this::run, "kotune-training-events");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For health: whether it follows, the topic, the group, records read, exports handed on, the last error. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("following", config.followTrainingEvents());
        if (config.followTrainingEvents()) {
            s.put("topic", topics.events());
            s.put("group", groupId);
            s.put("records", records.get());
            s.put("exports", exports.get());
            if (!lastError.isEmpty()) {
                s.put("last_error", lastError);
            }
        }
        return s;
    }

    private void run() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        while (!closing) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
                consumer = c;
                c.subscribe(List.of(topics.events()));
                LOG.infof(
                        "following %s at %s as group %s (from the earliest offset)",
                        topics.events(), props.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG), groupId);
                while (!closing) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        handle(r);
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.errorf(e, "following %s failed; starting over in 5 s", topics.events());
                pause(5_000);
            } finally {
                consumer = null;
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        records.incrementAndGet();
        if (r.value() == null) {
            return;
        }
        TrainingEvent event;
        try {
            event = TrainingEvent.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf(
                    "skipping %s-%d@%d: not a TrainingEvent (%s)",
                    r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        if (event.getPayloadCase() != TrainingEvent.PayloadCase.CHECKPOINT_EXPORTED) {
            return;
        }
        if (!event.getEventId().isEmpty() && seen.put(event.getEventId(), Boolean.TRUE) != null) {
            return; // a redelivered duplicate
        }
        String jobId = event.getJobId().isEmpty() && r.key() != null ? r.key() : event.getJobId();
        exports.incrementAndGet();
        registrar.submit(jobId, event.getCheckpointExported());
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }
}
