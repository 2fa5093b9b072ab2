package dev.kotune.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.kotune.broker.KafkaBrokerTestResource;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingEvent.PayloadCase;
import dev.kotune.proto.training.v1.TrainingJobCancelRequested;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.chat.ChatMessage;
import dev.kotune.tokenization.chat.ChatTemplate;
import dev.kotune.trainer.run.Sha256;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real training jobs through the service: a real KRaft broker, the DJL runner (libtorch on the CPU), the ONNX export
 * and the engine. The base model is the committed tiny random GPT-2 with KoGPT2's 51,200-id vocabulary
 * ({@code conformance/models/tiny-kogpt2}: 3 layers, n_embd 48); the tokenizer is the built-in
 * {@code models/kotune-ko-bpe-8k} (its 8,000 ids are valid rows of that embedding).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
@QuarkusTestResource(TrainerHomeResource.class)
@QuarkusTestResource(TokenizerServerResource.class)
class TrainingRunTest {

    private static final String JOBS = "kotune.training.jobs";
    private static final String EVENTS = "kotune.training.events";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path TINY_MODEL = REPO.resolve("conformance/models/tiny-kogpt2");
    private static final Path TOKENIZER = REPO.resolve("models/kotune-ko-bpe-8k/tokenizer.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaTestClient kafka;

    @BeforeAll
    static void connect() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        TokenizerServer.shared(ConfigProvider.getConfig().getValue(TokenizerServer.PORT_KEY, Integer.class));
        kafka.createTopics(JOBS, EVENTS);
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    private static Path home() {
        return Path.of(ConfigProvider.getConfig().getValue("kotune.home", String.class));
    }

    private static TrainingEvent.Builder envelope(String jobId) {
        Instant now = Instant.now();
        return TrainingEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setJobId(jobId)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setProducer("test");
    }

    private static TrainingEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return TrainingEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static List<TrainingEvent> eventsUntil(String jobId, PayloadCase... last) {
        List<PayloadCase> ends = List.of(last);
        return kafka
                .read(
                        EVENTS,
                        r -> jobId.equals(r.key()),
                        found -> found.stream().anyMatch(r -> ends.contains(parse(r).getPayloadCase())),
                        TIMEOUT)
                .stream()
                .map(TrainingRunTest::parse)
                .toList();
    }

    /** Four notebook-style pairs on the tiny model with the built-in tokenizer. */
    private static TrainingJobSpec.Builder tinyJob() {
        InlineExamples.Builder examples = InlineExamples.newBuilder();
        String[][] pairs = {
            {"안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?"},
            {"오늘 날씨 어때?", " 오늘은 맑고 따뜻해요."},
            {"배고파", " 맛있는 거 드세요."},
            {"잘 자", " 좋은 꿈 꾸세요."},
        };
        for (String[] p : pairs) {
            examples.addExamples(Example.newBuilder().setPrompt(p[0]).setCompletion(p[1]));
        }
        return TrainingJobSpec.newBuilder()
                .setBaseModel(TINY_MODEL.toString())
                .setTokenizer(TOKENIZER.toString())
                .setDataset(Dataset.newBuilder().setInline(examples))
                .setFormat(PromptFormat.newBuilder().setMaxLength(32))
                .setHyperparameters(
                        Hyperparameters.newBuilder().setNumTrainEpochs(2).setLoggingSteps(1));
    }

    private static void submit(String jobId, TrainingJobSpec.Builder spec) throws Exception {
        kafka.send(JOBS, envelope(jobId).setJobSubmitted(Jobs.submitted(spec)).build());
    }

    @Test
    void trainsATinyJobAndPublishesTheWholeLifecycle() throws Exception {
        String jobId = "tiny-" + UUID.randomUUID().toString().substring(0, 8);
        int prepared = tokenizerService().calls("PrepareExamples");
        submit(jobId, tinyJob());

        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.SUCCEEDED, PayloadCase.FAILED);

        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .containsExactly(
                        PayloadCase.JOB_VALIDATED,
                        PayloadCase.STARTED,
                        PayloadCase.PROGRESS,
                        PayloadCase.PROGRESS,
                        PayloadCase.CHECKPOINT_SAVED,
                        PayloadCase.EVALUATED,
                        PayloadCase.CHECKPOINT_EXPORTED,
                        PayloadCase.SUCCEEDED);
        var started = events.get(1).getStarted();
        // 4 examples, batch 4 (the default), 2 epochs: one step per epoch.
        assertThat(started.getTotalSteps()).isEqualTo(2);
        assertThat(started.getNumExamples()).isEqualTo(4);
        assertThat(started.getNumEpochs()).isEqualTo(2);
        assertThat(started.getNumParameters()).isEqualTo(gpt2Parameters(51200, 128, 48, 3));
        assertThat(started.getDevice()).isEqualTo("cpu");
        assertThat(started.getResumedFromStep()).isZero();

        List<TrainingProgress> progress = events.stream()
                .filter(TrainingEvent::hasProgress)
                .map(TrainingEvent::getProgress)
                .toList();
        assertThat(progress).extracting(TrainingProgress::getStep).containsExactly(1L, 2L);
        assertThat(progress).extracting(TrainingProgress::getEpoch).containsExactly(1.0, 2.0);
        // Linear schedule without warmup over 2 steps: 3e-5 at step 1, 1.5e-5 at step 2 (the lr each step used).
        assertThat(progress.get(0).getLearningRate()).isCloseTo(3e-5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(progress.get(1).getLearningRate()).isCloseTo(1.5e-5, org.assertj.core.data.Offset.offset(1e-12));
        for (TrainingProgress p : progress) {
            assertThat(p.getTotalSteps()).isEqualTo(2);
            // A random model over 51,200 ids starts near ln(51200) ≈ 10.8.
            assertThat(p.getLoss()).isFinite().isBetween(5.0, 15.0);
            assertThat(p.getGradNorm()).isFinite().isPositive();
            assertThat(p.getSamplesPerSecond()).isFinite().isPositive();
        }

        var saved = events.get(4).getCheckpointSaved();
        Path checkpoint = home().resolve("jobs").resolve(jobId).resolve("checkpoint-2");
        assertThat(saved.getStep()).isEqualTo(2);
        assertThat(Path.of(saved.getPath())).isEqualTo(checkpoint);
        for (String file : List.of(
                "config.json",
                "model.safetensors",
                "generation_config.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "kotune.json",
                "trainer_state.json",
                "optimizer.safetensors",
                "rng_state.json")) {
            assertThat(checkpoint.resolve(file)).isRegularFile();
        }
        assertThat(saved.getWeightsSha256()).isEqualTo(Sha256.of(checkpoint.resolve("model.safetensors")));
        JsonNode meta = JSON.readTree(checkpoint.resolve("kotune.json").toFile());
        assertThat(meta.get("job_id").asText()).isEqualTo(jobId);
        assertThat(meta.get("step").asLong()).isEqualTo(2);
        assertThat(meta.get("tokenizer_sha256").asText()).isEqualTo(Sha256.of(TOKENIZER));
        assertThat(meta.get("source").asText()).isEqualTo(TINY_MODEL.toString());
        assertThat(meta.get("config").get("n_embd").asInt()).isEqualTo(48);
        assertThat(meta.get("metrics").get("eval_loss").asDouble()).isFinite();

        var evaluated = events.get(5).getEvaluated();
        assertThat(evaluated.getStep()).isEqualTo(2);
        assertThat(evaluated.getEvalLoss()).isFinite().isBetween(5.0, 15.0);
        assertThat(evaluated.getSamplesList())
                .extracting(s -> s.getPrompt())
                .containsExactly("안녕하세요?", "오늘 날씨 어때?", "배고파", "잘 자");
        for (var sample : evaluated.getSamplesList()) {
            assertThat(sample.getAnswerBefore()).isNotNull().doesNotContain("답변:");
            assertThat(sample.getAnswerAfter()).isNotNull().doesNotContain("답변:");
        }

        var exported = events.get(6).getCheckpointExported();
        Path export = home().resolve("jobs").resolve(jobId).resolve("export");
        assertThat(exported.getStep()).isEqualTo(2);
        assertThat(Path.of(exported.getCheckpointPath())).isEqualTo(checkpoint);
        assertThat(Path.of(exported.getExportPath())).isEqualTo(export);
        // No graph_flavor in the job: the exporter's default, named as the proto names it.
        String flavour = dev.kotune.export.GraphFlavour.DEFAULT.id();
        assertThat(exported.getGraphFlavor()).isEqualTo(flavour.equals("fused") ? "optimized" : "plain");
        assertThat(export.resolve("model.onnx")).isRegularFile();
        assertThat(export.resolve("genai_config.json")).isRegularFile();
        assertThat(export.resolve("tokenizer.json")).isRegularFile();
        // The chat template of the job's (default) format joins the tokenizer's config: one user message renders as
        // the completion prompt.
        JsonNode tokenizerConfig =
                JSON.readTree(export.resolve("tokenizer_config.json").toFile());
        assertThat(tokenizerConfig.get("chat_template").asText())
                .isEqualTo(ChatTemplate.forPromptTemplate(PromptTemplate.NOTEBOOK.text()));
        assertThat(tokenizerConfig.get("model_max_length").asInt()).isEqualTo(1024);
        assertThat(ChatTemplate.fromDirectory(export).orElseThrow().render(List.of(ChatMessage.user("배고파")), true))
                .isEqualTo(PromptTemplate.NOTEBOOK.renderPrompt("배고파"));
        assertThat(exported.getModelSha256()).isEqualTo(Sha256.of(export.resolve("model.onnx")));
        assertThat(exported.getTokenizerSha256()).isEqualTo(Sha256.of(TOKENIZER));
        JsonNode exportMeta = JSON.readTree(export.resolve("kotune.json").toFile());
        assertThat(exportMeta.toString()).contains(jobId, "\"flavour\":\"" + flavour + "\"");

        var succeeded = events.get(7).getSucceeded();
        assertThat(succeeded.getMetrics().getGlobalStep()).isEqualTo(2);
        assertThat(succeeded.getMetrics().getTrainingLoss())
                .isCloseTo(
                        (progress.get(0).getLoss() + progress.get(1).getLoss()) / 2,
                        org.assertj.core.data.Offset.offset(1e-4));
        assertThat(succeeded.getMetrics().getTrainRuntime()).isPositive();
        assertThat(succeeded.getMetrics().getTrainSamplesPerSecond()).isPositive();
        assertThat(succeeded.getMetrics().getTotalFlos()).isPositive();
        assertThat(Path.of(succeeded.getCheckpointPath())).isEqualTo(checkpoint);
        assertThat(Path.of(succeeded.getExportPath())).isEqualTo(export);

        JsonNode report = JSON.readTree(
                home().resolve("jobs").resolve(jobId).resolve("report.json").toFile());
        assertThat(report.get("metrics").get("global_step").asDouble()).isEqualTo(2.0);
        assertThat(report.get("loss_history")).hasSize(2);
        assertThat(report.get("samples")).hasSize(4);
        assertThat(report.get("samples").get(0).get("answer_after").asText())
                .isEqualTo(evaluated.getSamples(0).getAnswerAfter());
        assertThat(Files.readString(home().resolve("jobs").resolve(jobId).resolve("job.json")))
                .contains("\"state\" : \"SUCCEEDED\"");
        assertThat(home().resolve("jobs").resolve(jobId).resolve(".scratch")).doesNotExist();
        // The examples were prepared by tokenizer-service over gRPC (the default), not in-process.
        assertThat(tokenizerService().calls("PrepareExamples")).isEqualTo(prepared + 1);
    }

    private static TokenizerServer tokenizerService() throws Exception {
        return TokenizerServer.shared(ConfigProvider.getConfig().getValue(TokenizerServer.PORT_KEY, Integer.class));
    }

    @Test
    void waitsForTheTokenizerServiceWhileItIsDownThenTrains() throws Exception {
        TokenizerServer service = tokenizerService();
        String jobId = "wait-" + UUID.randomUUID().toString().substring(0, 8);
        service.stop();
        List<TrainingEvent> waiting;
        try {
            submit(jobId, tinyJob());
            waiting = kafka
                    .read(
                            EVENTS,
                            r -> jobId.equals(r.key()),
                            found -> found.stream()
                                            .filter(r -> parse(r).hasProgress())
                                            .count()
                                    >= 2,
                            TIMEOUT)
                    .stream()
                    .map(TrainingRunTest::parse)
                    .toList();
        } finally {
            service.start();
        }
        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.SUCCEEDED, PayloadCase.FAILED);

        assertThat(waiting).filteredOn(TrainingEvent::hasProgress).allSatisfy(e -> {
            assertThat(e.getProgress().getStep()).isZero();
            assertThat(e.getProgress().getStatus())
                    .startsWith("waiting for tokenizer-service at 127.0.0.1:" + service.port())
                    .contains("UNAVAILABLE");
        });
        assertThat(events.get(events.size() - 1).getPayloadCase()).isEqualTo(PayloadCase.SUCCEEDED);
        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .startsWith(PayloadCase.JOB_VALIDATED, PayloadCase.PROGRESS, PayloadCase.PROGRESS)
                .contains(PayloadCase.STARTED);
    }

    @Test
    void cancelsARunningJobAtTheNextStepBoundary() throws Exception {
        String jobId = "cancel-" + UUID.randomUUID().toString().substring(0, 8);
        submit(
                jobId,
                tinyJob()
                        .setHyperparameters(Hyperparameters.newBuilder()
                                .setMaxSteps(500)
                                .setLoggingSteps(1)
                                .setPerDeviceTrainBatchSize(1)));

        eventsUntil(jobId, PayloadCase.PROGRESS, PayloadCase.FAILED);
        kafka.send(
                JOBS,
                envelope(jobId)
                        .setCancelRequested(TrainingJobCancelRequested.newBuilder()
                                .setReason("enough")
                                .setRequestedBy("test"))
                        .build());
        List<TrainingEvent> events =
                eventsUntil(jobId, PayloadCase.CANCELLED, PayloadCase.SUCCEEDED, PayloadCase.FAILED);

        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .startsWith(PayloadCase.JOB_VALIDATED, PayloadCase.STARTED, PayloadCase.PROGRESS)
                .endsWith(PayloadCase.CANCELLED)
                .doesNotContain(PayloadCase.SUCCEEDED, PayloadCase.FAILED, PayloadCase.CHECKPOINT_EXPORTED);
        var cancelled = events.get(events.size() - 1).getCancelled();
        long lastProgress = events.stream()
                .filter(TrainingEvent::hasProgress)
                .mapToLong(e -> e.getProgress().getStep())
                .max()
                .orElseThrow();
        assertThat(cancelled.getStep()).isEqualTo(lastProgress).isBetween(1L, 499L);
        assertThat(cancelled.getReason()).isEqualTo("enough");
        assertThat(cancelled.getRequestedBy()).isEqualTo("test");
        assertThat(Files.readString(home().resolve("jobs").resolve(jobId).resolve("job.json")))
                .contains("\"state\" : \"CANCELLED\"");
    }

    @Test
    void failsWithBaseModelNamingADirectoryWithoutWeights() throws Exception {
        Path noWeights = Files.createTempDirectory(home(), "no-weights-");
        Files.copy(TINY_MODEL.resolve("config.json"), noWeights.resolve("config.json"));
        String jobId = "bad-base-" + UUID.randomUUID().toString().substring(0, 8);
        submit(jobId, tinyJob().setBaseModel(noWeights.toString()));

        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.FAILED, PayloadCase.SUCCEEDED);

        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .containsExactly(PayloadCase.JOB_VALIDATED, PayloadCase.FAILED);
        var failed = events.get(1).getFailed();
        assertThat(failed.getErrorType()).isEqualTo("BASE_MODEL");
        assertThat(failed.getReason()).contains(noWeights.toString(), "model.safetensors", "pytorch_model.bin");
        assertThat(failed.getStep()).isZero();
        assertThat(failed.getRetryable()).isFalse();
    }

    /** GPT-2's parameter count (tied lm_head counted once) from its shape. */
    private static long gpt2Parameters(long vocab, long positions, long c, long layers) {
        long block = 2 * c // ln_1
                + c * 3 * c
                + 3 * c // attn.c_attn
                + c * c
                + c // attn.c_proj
                + 2 * c // ln_2
                + c * 4 * c
                + 4 * c // mlp.c_fc
                + 4 * c * c
                + c; // mlp.c_proj
        return vocab * c + positions * c + layers * block + 2 * c;
    }
}
