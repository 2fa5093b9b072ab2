package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bad-input corpus ({@code src/test/resources/bad-inputs/*.jsonl}, format in its README.md) against the real
 * service on loopback: every REST and gRPC case gets its expected status, the message names the field, nothing is a
 * 5xx / INTERNAL / UNKNOWN, and no body or description carries a stack trace or a Java class name. After the whole
 * corpus the service is still ready and answers a normal completion (REST and gRPC).
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {

    /** What must never reach a client: stack frames, exception class names, Java packages. */
    private static final Pattern INTERNALS = Pattern.compile(
            "\\tat |\\bat [a-z]+\\.[a-z]+\\.|Exception\\b|\\b(java|javax|jakarta|io\\.quarkus|io\\.vertx|io\\.netty"
                    + "|com\\.fasterxml|dev\\.kotune|org\\.jboss|ai\\.onnxruntime)\\.[a-z]");

    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("inference")
    Channel channel;

    @BeforeAll
    void installModel() {
        TestExports.install("tiny", TestExports.tinyWithChatTemplate());
    }

    @AfterAll
    void removeModels() {
        TestModels.clear();
    }

    static List<JsonNode> cases(String file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-inputs/" + file)) {
            assertThat(in).as(file).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    /** The case's text with its {@code repeat} token expanded (huge prompts are not stored as megabytes). */
    static String expand(JsonNode c, String text) {
        JsonNode r = c.get("repeat");
        return r == null
                ? text
                : text.replace(
                        r.get("token").asText(),
                        r.get("unit").asText().repeat(r.get("count").asInt()));
    }

    @Test
    void theWholeCorpusGetsTypedErrorsAndTheServiceStaysHealthy() throws Exception {
        List<JsonNode> rest = cases("rest.jsonl");
        List<JsonNode> grpc = cases("grpc.jsonl");
        assertThat(rest.size() + grpc.size()).as("cases").isGreaterThanOrEqualTo(200);
        List<String> failures = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        for (JsonNode c : rest) {
            String problem = restCase(http, c);
            if (problem != null) {
                failures.add(c.get("id").asText() + ": " + problem);
            }
        }
        for (JsonNode c : grpc) {
            String problem = grpcCase(c);
            if (problem != null) {
                failures.add(c.get("id").asText() + ": " + problem);
            }
        }
        assertThat(failures).as("cases that failed").isEmpty();

        // still healthy after the whole corpus
        given().get("/q/health/ready").then().statusCode(200);
        given().contentType("application/json")
                .body("{\"model\": \"tiny\", \"prompt\": \"안녕\", \"max_tokens\": 3}")
                .post("/v1/completions")
                .then()
                .statusCode(200);
        assertThat(InferenceServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .generate(GenerateRequest.newBuilder()
                                .setModel("tiny")
                                .setText("안녕")
                                .setParameters(GenerationParameters.newBuilder().setMaxNewTokens(3))
                                .build())
                        .getTokenIdsCount())
                .isEqualTo(3);
    }

    private static String restCase(HttpClient http, JsonNode c) throws Exception {
        byte[] body;
        if (c.has("raw_base64")) {
            body = Base64.getDecoder().decode(c.get("raw_base64").asText());
        } else if (c.has("raw")) {
            body = expand(c, c.get("raw").asText()).getBytes(StandardCharsets.UTF_8);
        } else if (c.has("body")) {
            body = expand(c, JSON.writeValueAsString(c.get("body"))).getBytes(StandardCharsets.UTF_8);
        } else {
            body = null;
        }
        String method = c.path("method").asText("POST");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + RestAssured.port + c.get("route").asText()))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", c.path("content_type").asText("application/json"))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "no answer: " + e;
        }
        int expected = c.get("status").asInt();
        String text = response.body();
        List<String> problems = new ArrayList<>();
        if (response.statusCode() >= 500) {
            problems.add("5xx");
        }
        if (response.statusCode() != expected) {
            problems.add("status " + response.statusCode() + ", expected " + expected);
        }
        if (INTERNALS.matcher(text).find()) {
            problems.add("internals in the body");
        }
        if (expected >= 400 && response.statusCode() >= 400) {
            String message = "";
            try {
                message = JSON.readTree(text).path("error").path("message").asText("");
            } catch (IOException notJson) {
                problems.add("the body is not OpenAI's JSON error");
            }
            if (message.isEmpty()) {
                problems.add("no error.message");
            }
            if (c.has("field") && !message.contains(c.get("field").asText())) {
                problems.add("the message does not name " + c.get("field").asText());
            }
        }
        return problems.isEmpty() ? null : problems + " body: " + abbreviate(text);
    }

    private String grpcCase(JsonNode c) throws Exception {
        String json = expand(c, JSON.writeValueAsString(c.get("request")));
        Status.Code expected = Status.Code.valueOf(c.get("status").asText());
        var stub = InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        Status status = Status.OK;
        try {
            switch (c.get("rpc").asText()) {
                case "Generate" -> stub.generate(parse(json, GenerateRequest.newBuilder()));
                case "StreamGenerate" ->
                    stub.streamGenerate(parse(json, StreamGenerateRequest.newBuilder()))
                            .forEachRemaining(r -> {});
                default -> throw new IllegalArgumentException("unknown rpc " + c.get("rpc"));
            }
        } catch (StatusRuntimeException e) {
            status = e.getStatus();
        }
        List<String> problems = new ArrayList<>();
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
            problems.add("server error");
        }
        if (status.getCode() != expected) {
            problems.add("status " + status.getCode() + ", expected " + expected);
        }
        if (INTERNALS.matcher(description).find()) {
            problems.add("internals in the description");
        }
        if (c.has("field") && !description.contains(c.get("field").asText())) {
            problems.add("the description does not name " + c.get("field").asText());
        }
        return problems.isEmpty() ? null : problems + " description: " + abbreviate(description);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T parse(String json, Message.Builder builder) throws IOException {
        JsonFormat.parser().merge(json, builder);
        return (T) builder.build();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
