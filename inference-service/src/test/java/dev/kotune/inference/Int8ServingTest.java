package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code int8} export flavour is served like any other: loaded from the models directory, listed, and answering
 * streaming and unary completions through the same continuous batch code (issue 16: "writes a model that
 * inference-service serves").
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class Int8ServingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "\"질문: 안녕하세요?\\n답변:\"";

    @BeforeEach
    void installModels() {
        TestExports.install("tiny-int8", TestExports.tinyInt8());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void theInt8ExportIsAQuantizedGraph() throws Exception {
        JsonNode meta = JSON.readTree(Files.readString(TestExports.tinyInt8().resolve("kotune.json")));
        assertThat(meta.toString()).contains("MatMulNBits");
    }

    @Test
    void servesGreedyCompletionsUnaryAndStreamed() throws Exception {
        JsonNode unary = JSON.readTree(post(
                        "/v1/completions",
                        "{\"model\": \"tiny-int8\", \"prompt\": " + PROMPT
                                + ", \"max_tokens\": 12, \"ignore_eos\": true, \"temperature\": 0}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(unary.at("/usage/completion_tokens").asInt()).isEqualTo(12);
        assertThat(unary.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        String text = unary.at("/choices/0/text").asText();
        assertThat(text).isNotEmpty();

        String sse = post(
                        "/v1/completions",
                        "{\"model\": \"tiny-int8\", \"prompt\": " + PROMPT
                                + ", \"max_tokens\": 12, \"ignore_eos\": true, \"temperature\": 0, \"stream\": true}")
                .statusCode(200)
                .extract()
                .asString();
        StringBuilder streamed = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                streamed.append(
                        JSON.readTree(line.substring(6)).at("/choices/0/text").asText());
            }
        }
        assertThat(sse).contains("data: [DONE]");
        assertThat(streamed.toString()).isEqualTo(text);

        String models =
                given().get("/v1/models").then().statusCode(200).extract().asString();
        assertThat(models).contains("\"tiny-int8\"");
    }
}
