package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-model admission and cancellation with one slot and no queue ({@link OneSlotWithTrainingEventsProfile}): while
 * a long generation runs, another request is refused at once (RESOURCE_EXHAUSTED / HTTP 429); a client that cancels
 * (gRPC) or disconnects (SSE) stops its generation at the next token, which frees the slot.
 */
@QuarkusTest
@TestProfile(OneSlotWithTrainingEventsProfile.class)
class AdmissionTest {

    /**
     * ~1,000 tokens on the 1,024-context model with top-p over the whole vocabulary (top_k 0: a 51,200-entry sort per
     * token): seconds of work even on a fast machine, far longer than the steps that need it running.
     */
    private static final GenerationParameters LONG = GenerationParameters.newBuilder()
            .setMaxNewTokens(1000)
            .setStopAtEos(false)
            .setDoSample(true)
            .setTopK(0)
            .setTopP(0.9f)
            .setSeed(3)
            .build();

    private static final String LONG_JSON = "{\"model\": \"slow\", \"prompt\": \"질문: 안녕하세요?\\n답변:\","
            + " \"max_tokens\": 1000, \"stop_at_eos\": false, \"top_k\": 0, \"top_p\": 0.9, \"seed\": 3,"
            + " \"stream\": true}";

    @GrpcClient("inference")
    Channel channel;

    @BeforeEach
    void installSlowModel() {
        TestExports.install("slow", TestExports.longContext());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private GenerateRequest oneToken() {
        return GenerateRequest.newBuilder()
                .setModel("slow")
                .setText(TestExports.PROMPT)
                .setParameters(GenerationParameters.newBuilder().setMaxNewTokens(1))
                .build();
    }

    /** Retries a one-token request until the slot is free again (the cancelled generation noticed). */
    private void awaitFreeSlot() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                assertThat(stub().generate(oneToken()).getTokenIdsCount()).isEqualTo(1);
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED
                        || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void aSecondRequestIsRefusedWhileTheOnlySlotIsBusyAndACancelledStreamFreesIt() throws Exception {
        double cancelledBefore = Metrics.value("kotune_inference_requests_total{api=\"grpc\",outcome=\"cancelled\"}");
        double tokensBefore = Metrics.value("kotune_inference_generated_tokens_total{api=\"grpc\"}");
        Context.CancellableContext call = Context.current().withCancellation();
        Iterator<StreamGenerateResponse> stream =
                call.call(() -> stub().streamGenerate(StreamGenerateRequest.newBuilder()
                        .setModel("slow")
                        .setText(TestExports.PROMPT)
                        .setParameters(LONG)
                        .build()));
        assertThat(stream.next().getTokenIdsCount()).isEqualTo(1); // it runs

        StatusRuntimeException refused =
                catchThrowableOfType(StatusRuntimeException.class, () -> stub().generate(oneToken()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription())
                .isEqualTo("model slow is busy: 1 sequences running and 0"
                        + " requests waiting (max-batch-size 1, max-waiting 0); retry later");
        given().contentType("application/json")
                .body("{\"model\": \"slow\", \"prompt\": \"hi\", \"max_tokens\": 1}")
                .post("/v1/completions")
                .then()
                .statusCode(429)
                .header("Retry-After", "1")
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("queue_full"))
                .body("error.message", startsWith("model slow is busy"));
        given().contentType("application/json")
                .body(LONG_JSON)
                .post("/v1/completions")
                .then()
                .statusCode(429);

        call.cancel(null);
        awaitFreeSlot();
        assertThat(Metrics.value("kotune_inference_requests_total{api=\"grpc\",outcome=\"cancelled\"}"))
                .isEqualTo(cancelledBefore + 1);
        assertThat(Metrics.value("kotune_inference_generated_tokens_total{api=\"grpc\"}") - tokensBefore)
                .as("tokens of the cancelled stream (+1 of the request after it)")
                .isLessThan(1000);
    }

    @Test
    void aClientThatDisconnectsFromAnEventStreamStopsItsGeneration() throws Exception {
        double cancelledBefore = Metrics.value("kotune_inference_requests_total{api=\"rest\",outcome=\"cancelled\"}");
        byte[] body = LONG_JSON.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Accept: text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.contains("data: {"));
            assertThat(line).as("a first event").isNotNull();
        } // closes the connection mid-stream
        awaitFreeSlot();
        assertThat(Metrics.value("kotune_inference_requests_total{api=\"rest\",outcome=\"cancelled\"}"))
                .isEqualTo(cancelledBefore + 1);
    }
}
