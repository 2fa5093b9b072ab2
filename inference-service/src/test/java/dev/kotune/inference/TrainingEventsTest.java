package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import dev.kotune.proto.inference.v1.FinishReason;
import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerateResponse;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import dev.kotune.proto.inference.v1.Model;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import dev.kotune.proto.training.v1.CheckpointExported;
import dev.kotune.proto.training.v1.TrainingEvent;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Picking up trained models: {@code CheckpointExported} events published to a real KRaft broker become models
 * (id = job id) that answer over gRPC and REST; a broken export is not served; a new export of a job replaces the old
 * one while a request in flight finishes on the old one.
 */
@QuarkusTest
@TestProfile(OneSlotWithTrainingEventsProfile.class)
class TrainingEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @GrpcClient("inference")
    Channel channel;

    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void connect() {
        String servers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close(Duration.ofSeconds(5));
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static void publishExported(String jobId, Path export, long step) throws Exception {
        Path metadata = export.resolve("kotune.json");
        String sha = Files.isRegularFile(metadata)
                ? new ObjectMapper()
                        .readTree(metadata.toFile())
                        .path("tokenizer_sha256")
                        .asText()
                : "";
        Instant now = Instant.now();
        TrainingEvent event = TrainingEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setJobId(jobId)
                .setOccurredAt(
                        Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setProducer("inference-service-test")
                .setCheckpointExported(CheckpointExported.newBuilder()
                        .setStep(step)
                        .setExportPath(export.toString())
                        .setGraphFlavor("optimized")
                        .setTokenizerSha256(sha))
                .build();
        producer.send(new ProducerRecord<>(OneSlotWithTrainingEventsProfile.TOPIC, jobId, event.toByteArray()))
                .get(30, TimeUnit.SECONDS);
    }

    private Optional<Model> model(String id) {
        return stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getId().equals(id))
                .findFirst();
    }

    private Model awaitModel(String id, Predicate<Model> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<Model> m = model(id);
            if (m.isPresent() && condition.test(m.get())) {
                return m.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("model " + id + " did not appear as expected within " + WAIT + "; listed: "
                + stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsList());
    }

    private GenerateResponse greedy(String model, int tokens) {
        return stub().generate(GenerateRequest.newBuilder()
                .setModel(model)
                .setText(TestExports.PROMPT)
                .setParameters(GenerationParameters.newBuilder().setMaxNewTokens(tokens))
                .build());
    }

    private static String jobId() {
        return "job-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aCheckpointExportedEventServesTheExportUnderTheJobId() throws Exception {
        String job = jobId();
        publishExported(job, TestExports.tiny(), 20);

        Model m = awaitModel(job, x -> true);
        assertThat(m.getJobId()).isEqualTo(job);
        assertThat(m.getStep()).isEqualTo(20);
        assertThat(m.getContextLength()).isEqualTo(128);
        assertThat(m.getTokenizerSha256()).startsWith("fc9b40f47f37");
        given().get("/v1/models").then().statusCode(200).body("data.id", hasItem(job));

        GenerateResponse r = greedy(job, 8);
        InProcess.Output ref = InProcess.greedy(TestExports.tiny(), TestExports.PROMPT, 8);
        assertThat(r.getModel()).isEqualTo(job);
        assertThat(r.getTokenIdsList())
                .containsExactlyElementsOf(Arrays.stream(ref.ids()).boxed().toList());
        given().contentType("application/json")
                .body("{\"model\": \"" + job + "\", \"prompt\": \"질문: 안녕하세요?\\n답변:\","
                        + " \"max_tokens\": 8, \"temperature\": 0}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .body("choices[0].text", org.hamcrest.Matchers.equalTo(r.getText()));
    }

    @Test
    void aBrokenExportIsLoggedAndNotServed() throws Exception {
        Path scratch = TestExports.temporaryDirectory("kotune-broken-exports-");
        String mixed = jobId();
        String missing = jobId();
        String good = jobId();
        publishExported(mixed, TestExports.link(scratch.resolve("mixed"), TestExports.tiny(), true), 5);
        publishExported(missing, scratch.resolve("does-not-exist"), 5);
        publishExported(good, TestExports.tiny(), 5);

        awaitModel(good, x -> true); // one partition, one registrar thread: the two before it were handled
        List<String> ids = stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .map(Model::getId)
                .toList();
        assertThat(ids).contains(good).doesNotContain(mixed, missing);
        assertThat(greedy(good, 2).getTokenIdsCount()).isEqualTo(2);
    }

    @Test
    void aNewExportReplacesTheModelWhileARequestInFlightFinishesOnTheOldOne() throws Exception {
        String job = jobId();
        publishExported(job, TestExports.longContext(), 10);
        assertThat(awaitModel(job, x -> true).getContextLength()).isEqualTo(1024);

        // A long generation on the first export: ~1,000 tokens, EOS not a stop, top-p over the whole vocabulary
        // (top_k 0: a 51,200-entry sort per token), so seconds of work even on a fast machine.
        Iterator<StreamGenerateResponse> stream = stub().streamGenerate(StreamGenerateRequest.newBuilder()
                .setModel(job)
                .setText(TestExports.PROMPT)
                .setParameters(GenerationParameters.newBuilder()
                        .setMaxNewTokens(1000)
                        .setStopAtEos(false)
                        .setDoSample(true)
                        .setTopK(0)
                        .setTopP(0.9f)
                        .setSeed(1))
                .build());
        assertThat(stream.next().getTokenIdsCount()).isEqualTo(1);
        CompletableFuture<List<StreamGenerateResponse>> rest = CompletableFuture.supplyAsync(() -> {
            List<StreamGenerateResponse> all = new ArrayList<>();
            stream.forEachRemaining(all::add);
            return all;
        });

        publishExported(job, TestExports.tiny(), 20);
        Model swapped = awaitModel(job, x -> x.getContextLength() == 128);
        assertThat(swapped.getStep()).isEqualTo(20);
        assertThat(rest)
                .as("the request in flight is still running when the new export is in")
                .isNotDone();

        List<StreamGenerateResponse> messages = rest.get(120, TimeUnit.SECONDS);
        StreamGenerateResponse last = messages.get(messages.size() - 1);
        assertThat(last.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(last.getUsage().getCompletionTokens())
                .as("finished on the old, 1,024-token export")
                .isEqualTo(1000);

        InProcess.Output ref = InProcess.greedy(TestExports.tiny(), TestExports.PROMPT, 8);
        assertThat(greedy(job, 8).getTokenIdsList())
                .containsExactlyElementsOf(Arrays.stream(ref.ids()).boxed().toList());
    }
}
