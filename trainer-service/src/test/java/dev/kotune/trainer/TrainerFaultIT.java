package dev.kotune.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.kotune.broker.KafkaBroker;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.EvaluationSpec;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.ExportOptions;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingEvent.PayloadCase;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tests of issue 20 against what ships: a real KRaft broker (kafka-broker, fixed ports and data directory so
 * it can be stopped and started again) and trainer-service from its packaged jar as child JVMs
 * ({@link TrainerProcess}), jobs on the built-in tiny model {@code kotune/tiny-ko}.
 * <ul>
 *   <li>crash and resume: {@code kill -9} of the trainer at random steps of one job; the job ends bit-identical (loss
 *       per step, eval loss, final weights sha256) to an uninterrupted run with the same seed, and of a burst of jobs
 *       submitted meanwhile none is lost and none runs twice;
 *   <li>broker outage: the broker stops mid-job; training goes on, readiness answers 503 within a second, then 200
 *       once the broker is back; the job ends with its events complete and in order;
 *   <li>two replicas in one consumer group, a burst of jobs, one replica killed: every job succeeds exactly once.
 * </ul>
 * The untagged cases are the fast ones CI runs; {@code @Tag("fault")} ones are the full suite
 * ({@code ./mvnw -pl trainer-service -am verify -Pfault}). Each prints a {@code FAULT-FIGURES} line (docs/reliability.md).
 */
class TrainerFaultIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path root;
    private static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws IOException {
        root = Files.createTempDirectory("kotune-fault-");
        broker = KafkaBroker.builder()
                .port(freePort())
                .controllerPort(freePort())
                .dataDir(root.resolve("kafka-data"))
                .build()
                .start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- crash and resume

    @Test
    void killNineTwiceMidJobResumesBitIdenticallyAndLosesNoJobOfABurst() throws Exception {
        crashAndResume("crash-fast", 2, 4, 60);
    }

    @Test
    @Tag("fault")
    void killNineFiveTimesMidJobWithTwentyJobsInABurst() throws Exception {
        crashAndResume("crash-full", 5, 20, 200);
    }

    private void crashAndResume(String name, int kills, int burst, int steps) throws Exception {
        Topics t = topics(name, 2);
        Path home = dir.resolve("home");
        Random random = new Random(name.hashCode());
        TrainingJobSpec spec = spec(steps, 10, 7);
        try (TrainerProcess trainer = t.trainer("trainer", home, Map.of()).start(READY);
                Events events = new Events(t.events)) {
            String crash = name + "-job";
            org.apache.kafka.clients.producer.RecordMetadata record = submit(t.jobs, crash, spec);
            TopicPartition crashPartition = new TopicPartition(record.topic(), record.partition());
            List<String> burstIds = new ArrayList<>();
            long reached = 0;
            int killed = 0;
            long[] targets =
                    random.ints(kills, 15, steps - 30).asLongStream().sorted().toArray();
            for (long target : targets) {
                long goal = Math.max(target, reached + 1);
                reached = events.awaitStep(crash, goal, Duration.ofMinutes(5));
                // the unfinished job's record is not committed: the group's offset has not passed it
                long committed = committedOffset(t.group, crashPartition);
                assertThat(committed)
                        .as("committed offset of %s while %s runs", crashPartition, crash)
                        .isLessThanOrEqualTo(record.offset());
                trainer.kill9();
                killed++;
                if (burstIds.isEmpty()) {
                    for (int i = 0; i < burst; i++) {
                        String id = name + "-burst-" + i;
                        burstIds.add(id);
                        submit(t.jobs, id, spec(10, 5, 100 + i));
                    }
                }
                trainer.start(READY);
            }
            List<String> all = new ArrayList<>(burstIds);
            all.add(crash);
            events.awaitFinal(all, Duration.ofMinutes(10));

            // once every job ended, its record is committed
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (committedOffset(t.group, crashPartition) <= record.offset() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertThat(committedOffset(t.group, crashPartition)).isGreaterThan(record.offset());

            String reference = name + "-reference";
            submit(t.jobs, reference, spec);
            events.awaitFinal(List.of(reference), Duration.ofMinutes(5));

            // bit-identical: per-step loss (trainer log history: report.json), eval loss, final weights
            Map<Long, Double> crashLoss = losses(home, crash);
            Map<Long, Double> refLoss = losses(home, reference);
            assertThat(crashLoss).hasSize(steps / 5).isEqualTo(refLoss);
            assertThat(events.one(crash, PayloadCase.EVALUATED).getEvaluated().getEvalLoss())
                    .isEqualTo(events.one(reference, PayloadCase.EVALUATED)
                            .getEvaluated()
                            .getEvalLoss());
            assertThat(finalWeights(events, crash, steps)).isEqualTo(finalWeights(events, reference, steps));
            // the loss of every step the events carry, re-run steps included, is the reference's
            for (TrainingEvent e : events.of(crash)) {
                if (e.hasProgress() && e.getProgress().getStatus().isEmpty()) {
                    assertThat(e.getProgress().getLoss())
                            .as("loss of step %d", e.getProgress().getStep())
                            .isEqualTo(refLoss.get(e.getProgress().getStep()));
                }
            }
            List<TrainingEvent> starts = events.all(crash, PayloadCase.STARTED);
            assertThat(starts).hasSize(kills + 1);
            assertThat(starts.get(kills).getStarted().getResumedFromStep()).isPositive();
            assertThat(starts.get(kills).getStarted().getAttempt()).isEqualTo(kills + 1);

            Outcome outcome = outcome(events, all);
            System.out.printf(
                    "FAULT-FIGURES %s: kills=%d (at steps %s), jobs=%d, lost=%d, duplicated=%d, failed=%d, "
                            + "restarts-from-scratch=%d, final weights %s identical to the uninterrupted run%n",
                    name,
                    killed,
                    java.util.Arrays.toString(targets),
                    all.size(),
                    outcome.lost,
                    outcome.duplicated,
                    outcome.failed,
                    outcome.fromScratchAgain,
                    finalWeights(events, crash, steps));
            assertThat(outcome.lost).isZero();
            assertThat(outcome.duplicated).isZero();
            assertThat(outcome.failed).isZero();
        }
    }

    // ---------------------------------------------------------------- broker outage

    @Test
    void brokerOutageOfTwelveSecondsMidJob() throws Exception {
        brokerOutage("outage-12s", Duration.ofSeconds(12), 120, 5, 40);
    }

    @Test
    @Tag("fault")
    void brokerOutageOfThirtySecondsMidJob() throws Exception {
        brokerOutage("outage-30s", Duration.ofSeconds(30), 300, 5, 100);
    }

    @Test
    @Tag("fault")
    void brokerOutageOfFiveMinutesMidJob() throws Exception {
        brokerOutage("outage-5min", Duration.ofMinutes(5), 600, 5, 200);
    }

    /** A job of {@code steps} steps (it must outlast the outage), logging every {@code logging}, saving every {@code save}. */
    private void brokerOutage(String name, Duration outage, int steps, int logging, int save) throws Exception {
        Topics t = topics(name, 1);
        Path home = dir.resolve("home");
        try (TrainerProcess trainer = t.trainer("trainer", home, Map.of()).start(READY)) {
            String job = name + "-job";
            long stepAtStop;
            try (Events events = new Events(t.events)) {
                submit(t.jobs, job, spec(steps, save, 11, logging));
                stepAtStop = events.awaitStep(job, Math.min(steps / 8, 200), Duration.ofMinutes(3));
            }
            Instant stopped = Instant.now();
            broker.close();
            // readiness: 503 within a second, for as long as the broker is away
            long maxMillis = 0;
            int probes = 0;
            int notDown = 0;
            Thread.sleep(3000); // the probe notices within interval + timeout
            while (Duration.between(stopped, Instant.now()).compareTo(outage) < 0) {
                long start = System.nanoTime();
                int status = trainer.ready(Duration.ofSeconds(1));
                maxMillis = Math.max(maxMillis, (System.nanoTime() - start) / 1_000_000);
                probes++;
                if (status != 503) {
                    notDown++;
                }
                Thread.sleep(500);
            }
            assertThat(trainer.isAlive()).isTrue();
            broker.start();
            Instant restarted = Instant.now();
            long upAfter = -1;
            while (Duration.between(restarted, Instant.now()).toSeconds() < 60) {
                if (trainer.ready(Duration.ofSeconds(1)) == 200) {
                    upAfter = Duration.between(restarted, Instant.now()).toMillis();
                    break;
                }
                Thread.sleep(200);
            }
            try (Events events = new Events(t.events)) {
                events.awaitFinal(List.of(job), Duration.ofMinutes(5));
                List<TrainingEvent> of = events.of(job);
                // complete and in order: the lifecycle sequence, and every logging step once, ascending
                // a membership that expired during the outage hands the job over (here, to the same replica): it
                // continues from a checkpoint at the step it stopped, announced by a TrainingStarted that resumes
                long handovers = 0;
                long maxStep = 0;
                for (TrainingEvent e : of) {
                    if (e.hasProgress()) {
                        maxStep = Math.max(maxStep, e.getProgress().getStep());
                    } else if (e.hasStarted() && e.getStarted().getResumedFromStep() > 0) {
                        handovers++;
                        assertThat(e.getStarted().getResumedFromStep())
                                .as("a resumed run continues where the last one stopped")
                                .isEqualTo(maxStep);
                    }
                }
                List<PayloadCase> lifecycle = of.stream()
                        .filter(e -> !(e.hasStarted() && e.getStarted().getResumedFromStep() > 0))
                        .map(TrainingEvent::getPayloadCase)
                        .filter(c -> c != PayloadCase.PROGRESS && c != PayloadCase.CHECKPOINT_SAVED)
                        .toList();
                assertThat(lifecycle)
                        .containsExactly(
                                PayloadCase.JOB_VALIDATED,
                                PayloadCase.STARTED,
                                PayloadCase.EVALUATED,
                                PayloadCase.CHECKPOINT_EXPORTED,
                                PayloadCase.SUCCEEDED);
                List<Long> progress = of.stream()
                        .filter(e ->
                                e.hasProgress() && e.getProgress().getStatus().isEmpty())
                        .map(e -> e.getProgress().getStep())
                        .toList();
                List<Long> expected = java.util.stream.LongStream.rangeClosed(1, steps / logging)
                        .map(i -> i * logging)
                        .boxed()
                        .toList();
                assertThat(progress).isEqualTo(expected);
                List<Long> checkpoints = of.stream()
                        .filter(TrainingEvent::hasCheckpointSaved)
                        .map(e -> e.getCheckpointSaved().getStep())
                        .toList();
                assertThat(checkpoints).isSorted().doesNotHaveDuplicates().contains((long) steps);
                assertThat(checkpoints.stream().filter(c -> c % save == 0)).hasSize(steps / save);
                // training did not stall: steps happened while the broker was away
                long stepsDuringOutage = of.stream()
                        .filter(e -> e.hasProgress()
                                && instant(e.getOccurredAt()).isAfter(stopped)
                                && instant(e.getOccurredAt()).isBefore(restarted))
                        .count();
                System.out.printf(
                        "FAULT-FIGURES %s: outage=%d s from step %d, logging steps trained during the outage=%d, "
                                + "readiness 503 in %d/%d probes (slowest answer %d ms), 200 again %d ms after the "
                                + "broker was back, events=%d complete and in order, hand-overs after an expired "
                                + "membership=%d, lost=0, duplicated=0, failures=0%n",
                        name,
                        outage.toSeconds(),
                        stepAtStop,
                        stepsDuringOutage,
                        probes - notDown,
                        probes,
                        maxMillis,
                        upAfter,
                        of.size(),
                        handovers);
                assertThat(stepsDuringOutage).isPositive();
                assertThat(notDown).isZero();
                assertThat(maxMillis).isLessThan(1000);
                assertThat(upAfter).isBetween(0L, 30_000L);
            }
        } finally {
            if (!broker.isRunning()) {
                broker.start();
            }
        }
    }

    // ---------------------------------------------------------------- replicas

    @Test
    void twoReplicasInOneGroupKillOneEveryJobSucceedsOnce() throws Exception {
        replicas("replicas-fast", 4);
    }

    @Test
    @Tag("fault")
    void twoReplicasInOneGroupKillOneWithTwentyJobs() throws Exception {
        replicas("replicas-full", 20);
    }

    private void replicas(String name, int jobs) throws Exception {
        Topics t = topics(name, 4);
        Path home = dir.resolve("shared-home");
        try (TrainerProcess a = t.trainer("replica-a", home, Map.of()).start(READY);
                TrainerProcess b = t.trainer("replica-b", home, Map.of()).start(READY);
                Events events = new Events(t.events)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String id = name + "-" + i;
                ids.add(id);
                submit(t.jobs, id, spec(40, 10, 300 + i));
            }
            // kill the replica that runs the first job to start, mid-job
            TrainingEvent first =
                    events.awaitFirst(e -> e.hasProgress() && e.getProgress().getStep() >= 15, Duration.ofMinutes(3));
            TrainerProcess victim = first.getProducer().equals(a.name()) ? a : b;
            victim.kill9();
            events.awaitFinal(ids, Duration.ofMinutes(10));
            Outcome outcome = outcome(events, ids);
            // one job, one replica at a time: a job's events come from one replica, or from the victim and then the
            // survivor (after the handover), never interleaved
            int moved = 0;
            for (String id : ids) {
                List<String> producers = events.of(id).stream()
                        .filter(e -> !e.hasJobValidated())
                        .map(TrainingEvent::getProducer)
                        .collect(Collectors.toList());
                List<String> runs = new ArrayList<>();
                for (String p : producers) {
                    if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(p)) {
                        runs.add(p);
                    }
                }
                assertThat(runs).as("replicas that ran %s, in order", id).doesNotHaveDuplicates();
                if (runs.size() > 1) {
                    moved++;
                }
            }
            System.out.printf(
                    "FAULT-FIGURES %s: replicas=2, killed=%s at step %d of %s, jobs=%d, moved to the survivor=%d, "
                            + "lost=%d, duplicated=%d, failed=%d%n",
                    name,
                    victim.name(),
                    first.getProgress().getStep(),
                    first.getJobId(),
                    ids.size(),
                    moved,
                    outcome.lost,
                    outcome.duplicated,
                    outcome.failed);
            assertThat(outcome.lost).isZero();
            assertThat(outcome.duplicated).isZero();
            assertThat(outcome.failed).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    private record Outcome(int lost, int duplicated, int failed, int fromScratchAgain) {}

    /** lost: no SUCCEEDED; duplicated: more than one SUCCEEDED, or training after it; failed: any FAILED. */
    private static Outcome outcome(Events events, Collection<String> ids) {
        int lost = 0;
        int duplicated = 0;
        int failed = 0;
        int scratch = 0;
        for (String id : ids) {
            List<TrainingEvent> of = events.of(id);
            long succeeded = of.stream().filter(TrainingEvent::hasSucceeded).count();
            if (succeeded == 0) {
                lost++;
            }
            int last = -1;
            for (int i = 0; i < of.size(); i++) {
                if (of.get(i).hasSucceeded()) {
                    last = i;
                }
            }
            boolean after = last >= 0
                    && of.subList(last + 1, of.size()).stream().anyMatch(e -> e.hasStarted() || e.hasProgress());
            if (succeeded > 1 || after) {
                duplicated++;
            }
            failed += (int) of.stream().filter(TrainingEvent::hasFailed).count();
            long starts = of.stream()
                    .filter(e -> e.hasStarted() && e.getStarted().getResumedFromStep() == 0)
                    .count();
            scratch += (int) Math.max(0, starts - 1);
        }
        return new Outcome(lost, duplicated, failed, scratch);
    }

    private static Map<Long, Double> losses(Path home, String jobId) throws IOException {
        JsonNode report = JSON.readTree(
                home.resolve("jobs").resolve(jobId).resolve("report.json").toFile());
        Map<Long, Double> out = new TreeMap<>();
        for (JsonNode l : report.get("loss_history")) {
            out.put(l.get("step").asLong(), l.get("loss").asDouble());
        }
        return out;
    }

    private static String finalWeights(Events events, String jobId, long step) {
        return events.all(jobId, PayloadCase.CHECKPOINT_SAVED).stream()
                .filter(e -> e.getCheckpointSaved().getStep() == step)
                .map(e -> e.getCheckpointSaved().getWeightsSha256())
                .reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("no final checkpoint event for " + jobId));
    }

    /** A job on the built-in tiny model: 8 pairs, batch 4, {@code steps} steps, a checkpoint every {@code save}. */
    private static TrainingJobSpec spec(int steps, int save, long seed) {
        return spec(steps, save, seed, 5);
    }

    private static TrainingJobSpec spec(int steps, int save, long seed, int logging) {
        InlineExamples.Builder examples = InlineExamples.newBuilder();
        String[][] pairs = {
            {"안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?"},
            {"오늘 날씨 어때?", " 오늘은 맑고 따뜻해요."},
            {"배고파", " 맛있는 거 드세요."},
            {"잘 자", " 좋은 꿈 꾸세요."},
            {"심심해", " 산책 어때요?"},
            {"고마워", " 천만에요."},
            {"뭐 해?", " 공부하고 있어요."},
            {"피곤해", " 푹 쉬세요."},
        };
        for (String[] p : pairs) {
            examples.addExamples(Example.newBuilder().setPrompt(p[0]).setCompletion(p[1]));
        }
        return TrainingJobSpec.newBuilder()
                .setBaseModel("kotune/tiny-ko")
                .setDataset(Dataset.newBuilder().setInline(examples))
                .setFormat(PromptFormat.newBuilder().setMaxLength(24))
                .setHyperparameters(Hyperparameters.newBuilder()
                        .setMaxSteps(steps)
                        .setPerDeviceTrainBatchSize(4)
                        .setLoggingSteps(logging)
                        .setSaveSteps(save)
                        .setSeed(seed))
                .setExport(ExportOptions.newBuilder().setOnnx(true))
                .setEvaluation(EvaluationSpec.newBuilder()
                        .addPrompts("안녕하세요?")
                        .setGeneration(dev.kotune.proto.inference.v1.GenerationParameters.newBuilder()
                                .setMaxNewTokens(4)
                                .setDoSample(false)))
                .build();
    }

    private record Topics(String jobs, String events, String group) {
        TrainerProcess trainer(String name, Path home, Map<String, String> extra) throws IOException {
            Map<String, String> c = new LinkedHashMap<>(extra);
            c.put("kotune.topics.jobs", jobs);
            c.put("kotune.topics.events", events);
            c.put("kotune.topics.dlq", jobs + ".dlq");
            c.put("kotune.trainer.group-id", group);
            return new TrainerProcess(name, broker.bootstrapServers(), home, root.resolve("logs-" + group), c);
        }
    }

    private static Topics topics(String name, int partitions) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        Topics t = new Topics(
                "fault." + name + "." + suffix + ".jobs",
                "fault." + name + "." + suffix + ".events",
                "fault-" + name + "-" + suffix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(
                            new NewTopic(t.jobs, partitions, (short) 1),
                            new NewTopic(t.events, 1, (short) 1),
                            new NewTopic(t.jobs + ".dlq", 1, (short) 1)))
                    .all()
                    .get();
        }
        return t;
    }

    /** The group's committed offset of a partition; -1 when none. */
    private static long committedOffset(String group, TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            var offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            var o = offsets.get(partition);
            return o == null ? -1 : o.offset();
        }
    }

    private static org.apache.kafka.clients.producer.RecordMetadata submit(
            String topic, String jobId, TrainingJobSpec spec) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            TrainingEvent event = TrainingEvent.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setJobId(jobId)
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                    .setProducer("fault-test")
                    .setJobSubmitted(dev.kotune.proto.training.v1.TrainingJobSubmitted.newBuilder()
                            .setSpec(spec)
                            .setSubmittedBy("fault-test"))
                    .build();
            return producer.send(new ProducerRecord<>(topic, jobId, event.toByteArray()))
                    .get();
        }
    }

    private static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Everything on an events topic, read from its beginning; events with the same event_id count once. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, List<TrainingEvent>> byJob = new LinkedHashMap<>();
        private final Set<String> seen = new LinkedHashSet<>();
        private final List<TrainingEvent> all = new ArrayList<>();

        Events(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> tps = parts.stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                try {
                    TrainingEvent e = TrainingEvent.parseFrom(r.value());
                    if (seen.add(e.getEventId())) {
                        all.add(e);
                        byJob.computeIfAbsent(e.getJobId(), k -> new ArrayList<>())
                                .add(e);
                    }
                } catch (InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }

        List<TrainingEvent> of(String jobId) {
            return byJob.getOrDefault(jobId, List.of());
        }

        List<TrainingEvent> all(String jobId, PayloadCase c) {
            return of(jobId).stream().filter(e -> e.getPayloadCase() == c).toList();
        }

        TrainingEvent one(String jobId, PayloadCase c) {
            List<TrainingEvent> found = all(jobId, c);
            assertThat(found).as("%s of %s", c, jobId).hasSize(1);
            return found.get(0);
        }

        /** Waits until the job's progress reached {@code step}; returns the step reached. */
        long awaitStep(String jobId, long step, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                poll();
                long max = of(jobId).stream()
                        .filter(e ->
                                e.hasProgress() && e.getProgress().getStatus().isEmpty())
                        .mapToLong(e -> e.getProgress().getStep())
                        .max()
                        .orElse(0);
                if (max >= step) {
                    return max;
                }
                if (of(jobId).stream().anyMatch(e -> e.hasSucceeded() || e.hasFailed())) {
                    throw new AssertionError(jobId + " ended before step " + step + ": " + summary(jobId));
                }
            }
            throw new AssertionError(jobId + " did not reach step " + step + ": " + summary(jobId));
        }

        TrainingEvent awaitFirst(Predicate<TrainingEvent> p, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int from = 0;
            while (System.nanoTime() < deadline) {
                poll();
                for (; from < all.size(); from++) {
                    if (p.test(all.get(from))) {
                        return all.get(from);
                    }
                }
            }
            throw new AssertionError("no matching event within " + timeout);
        }

        /** Waits until every job has a final event (and a little longer, so a second run would show). */
        void awaitFinal(Collection<String> jobIds, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                poll();
                List<String> open = jobIds.stream()
                        .filter(id -> of(id).stream()
                                .noneMatch(e -> e.hasSucceeded()
                                        || e.hasFailed()
                                        || e.hasCancelled()
                                        || (e.hasJobRejected()
                                                && !e.getJobRejected().getDuplicateJobId())))
                        .toList();
                if (open.isEmpty()) {
                    long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    while (System.nanoTime() < quiet) {
                        poll();
                    }
                    return;
                }
            }
            throw new AssertionError("jobs without a final event: "
                    + jobIds.stream()
                            .filter(id -> of(id).stream().noneMatch(e -> e.hasSucceeded() || e.hasFailed()))
                            .map(id -> id + " " + summary(id))
                            .toList());
        }

        private String summary(String jobId) {
            return of(jobId).stream()
                    .map(e -> e.getPayloadCase()
                            + (e.hasProgress() ? "@" + e.getProgress().getStep() : ""))
                    .collect(Collectors.joining(",", "[", "]"));
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
