package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * API keys over real HTTP and gRPC ({@link KeysProfile}): no key, a wrong key, a right key and the admin key on the
 * inference routes, the admin routes and gRPC; health and metrics open; request bodies over
 * {@code quarkus.http.limits.max-body-size} 413 with OpenAI's error body, gRPC messages over
 * {@code max-inbound-message-size} RESOURCE_EXHAUSTED.
 */
@QuarkusTest
@TestProfile(KeysProfile.class)
class AccessTest {

    private static final String ONE_TOKEN = "{\"model\": \"tiny\", \"prompt\": \"질문: 안녕?\\n답변:\", \"max_tokens\": 1}";

    @io.quarkus.grpc.GrpcClient("inference")
    Channel channel;

    @BeforeEach
    void installModel() {
        TestExports.install("tiny", TestExports.tinyWithChatTemplate());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private static RequestSpecification as(String key) {
        RequestSpecification r = given().contentType("application/json");
        return key == null ? r : r.header("Authorization", "Bearer " + key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/completions", "/v1/chat/completions", "/generate"})
    void inferenceRoutesNeedAKey(String route) {
        String body = route.equals("/v1/chat/completions")
                ? "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"안녕\"}], \"max_tokens\": 1}"
                : route.equals("/generate")
                        ? "{\"inputs\": \"안녕\", \"parameters\": {\"max_new_tokens\": 1}}"
                        : ONE_TOKEN;
        for (String key : new String[] {null, "sk-wrong", ""}) {
            as(key).body(body)
                    .post(route)
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.param", equalTo("authorization"))
                    .body("error.message", containsString("API key"));
        }
        as(KeysProfile.API_KEY).body(body).post(route).then().statusCode(200);
        as(KeysProfile.OTHER_API_KEY).body(body).post(route).then().statusCode(200);
        as(KeysProfile.ADMIN_KEY).body(body).post(route).then().statusCode(200);
    }

    @Test
    void aKeyIsCheckedBeforeTheRouteOrTheBody() {
        given().get("/v1/models").then().statusCode(401);
        given().get("/no/such/route").then().statusCode(401);
        given().header("Authorization", "Basic " + KeysProfile.API_KEY)
                .get("/v1/models")
                .then()
                .statusCode(401);
        given().header("Authorization", "bearer " + KeysProfile.API_KEY)
                .get("/v1/models")
                .then()
                .statusCode(200);
        as(null).body("{not json").post("/v1/completions").then().statusCode(401);
        as(KeysProfile.API_KEY).body("{not json").post("/v1/completions").then().statusCode(400);
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("kotune_inference_requests_total"));
    }

    @Test
    void modelLoadAndSwapNeedTheAdminKey() {
        String load = "{\"id\": \"tiny\", \"path\": \"" + TestModels.modelsDir().resolve("tiny") + "\"}";
        as(null).body(load).post("/v1/admin/models").then().statusCode(401);
        as("sk-wrong").body(load).post("/v1/admin/models").then().statusCode(401);
        as(KeysProfile.API_KEY)
                .body(load)
                .post("/v1/admin/models")
                .then()
                .statusCode(403)
                .body("error.code", equalTo("admin_key_required"));
        given().header("Authorization", "Bearer " + KeysProfile.API_KEY)
                .get("/v1/admin/models")
                .then()
                .statusCode(403);
        as(KeysProfile.ADMIN_KEY)
                .body(load)
                .post("/v1/admin/models")
                .then()
                .statusCode(200)
                .body("id", equalTo("tiny"))
                .body("loaded", equalTo(true));
        given().header("Authorization", "Bearer " + KeysProfile.ADMIN_KEY)
                .get("/v1/admin/models")
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'tiny' }.loaded", equalTo(true));
    }

    @Test
    void aBodyOverTheLimitIs413WithAnApiErrorNot500() {
        String huge = "{\"model\": \"tiny\", \"prompt\": \"" + "가".repeat(400_000) + "\", \"max_tokens\": 1}";
        assertThat(huge.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(1024 * 1024);
        as(KeysProfile.API_KEY)
                .body(huge)
                .post("/v1/completions")
                .then()
                .statusCode(413)
                .body("error.code", equalTo("request_too_large"))
                .body("error.param", equalTo("body"))
                .body("error.message", containsString("max-body-size"));
        as(KeysProfile.API_KEY).body(ONE_TOKEN).post("/v1/completions").then().statusCode(200);
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedToo() throws Exception {
        byte[] chunk = ("\"" + "a".repeat(64 * 1024 - 2) + "\"").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer " + KeysProfile.API_KEY + "\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = null;
            InputStream in = socket.getInputStream();
            try {
                writeChunk(out, "{\"prompt\": [".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 20; i++) { // 1.25 MiB
                    writeChunk(out, chunk);
                    writeChunk(out, ",".getBytes(StandardCharsets.US_ASCII));
                }
                writeChunk(out, "1]}".getBytes(StandardCharsets.US_ASCII));
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedByServer) {
                // the server may answer and close before the body is all sent
            }
            byte[] head = in.readNBytes(12);
            status = new String(head, StandardCharsets.US_ASCII);
            assertThat(status).as("Quarkus cuts a chunked body at the limit").isEqualTo("HTTP/1.1 413");
        }
        as(KeysProfile.API_KEY).body(ONE_TOKEN).post("/v1/completions").then().statusCode(200);
    }

    private static void writeChunk(OutputStream out, byte[] data) throws java.io.IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub(String key) {
        var stub = InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        if (key == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static GenerateRequest oneToken() {
        return GenerateRequest.newBuilder()
                .setModel("tiny")
                .setText("안녕")
                .setParameters(GenerationParameters.newBuilder().setMaxNewTokens(1))
                .build();
    }

    @Test
    void grpcNeedsAKeyButHealthDoesNot() {
        for (String key : new String[] {null, "sk-wrong"}) {
            StatusRuntimeException e = catchThrowableOfType(
                    StatusRuntimeException.class, () -> stub(key).generate(oneToken()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).contains("API key");
            StatusRuntimeException list = catchThrowableOfType(
                    StatusRuntimeException.class, () -> stub(key).listModels(ListModelsRequest.getDefaultInstance()));
            assertThat(list.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        assertThat(stub(KeysProfile.API_KEY).generate(oneToken()).getTokenIdsCount())
                .isEqualTo(1);
        assertThat(stub(KeysProfile.ADMIN_KEY).generate(oneToken()).getTokenIdsCount())
                .isEqualTo(1);
        assertThat(stub(KeysProfile.API_KEY)
                        .listModels(ListModelsRequest.getDefaultInstance())
                        .getModelsCount())
                .isGreaterThanOrEqualTo(1);
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void aGrpcMessageOverTheLimitIsResourceExhausted() {
        GenerateRequest huge = oneToken().toBuilder()
                .setText("가".repeat(400_000)) // 1.2 MB of UTF-8
                .build();
        assertThat(huge.getSerializedSize()).isGreaterThan(1024 * 1024);
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class, () -> stub(KeysProfile.API_KEY).generate(huge));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).contains("1048576");
        assertThat(stub(KeysProfile.API_KEY).generate(oneToken()).getTokenIdsCount())
                .isEqualTo(1);
    }
}
