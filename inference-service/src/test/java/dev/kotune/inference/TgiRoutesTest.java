package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TGI's /generate, /generate_stream and /info over real HTTP, on the same engine as /v1/completions. */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class TgiRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INPUTS = "\"질문: 안녕하세요?\\n답변:\"";

    @BeforeEach
    void installModel() {
        TestExports.install("tiny", TestExports.tiny());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void generateWithDetailsAnswersAsTheCompletionsEndpoint() throws Exception {
        JsonNode tgi = JSON.readTree(post(
                        "/generate",
                        "{\"inputs\": " + INPUTS + ", \"parameters\": {\"max_new_tokens\":"
                                + " 12, \"details\": true}}")
                .statusCode(200)
                .extract()
                .asString());
        JsonNode openai = JSON.readTree(post("/v1/completions", "{\"prompt\": " + INPUTS + ", \"max_tokens\": 12}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(tgi.get("generated_text").asText())
                .isEqualTo(openai.at("/choices/0/text").asText());
        assertThat(tgi.at("/details/finish_reason").asText()).isEqualTo("length");
        assertThat(tgi.at("/details/generated_tokens").asInt()).isEqualTo(12);
        assertThat(tgi.at("/details/tokens")).hasSize(12);
        StringBuilder joined = new StringBuilder();
        tgi.at("/details/tokens").forEach(t -> joined.append(t.get("text").asText()));
        assertThat(joined.toString()).isEqualTo(tgi.get("generated_text").asText());
        JsonNode full = JSON.readTree(post(
                        "/generate",
                        "{\"inputs\": " + INPUTS
                                + ", \"parameters\": {\"max_new_tokens\": 12, \"return_full_text\": true}}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(full.get("generated_text").asText())
                .isEqualTo("질문: 안녕하세요?\n답변:" + tgi.get("generated_text").asText());
        assertThat(full.has("details")).isFalse();
    }

    @Test
    void generateStreamSendsOneEventPerTokenAndTheLastCarriesTheTextAndDetails() throws Exception {
        String unary = JSON.readTree(
                        post("/generate", "{\"inputs\": " + INPUTS + ", \"parameters\": {\"max_new_tokens\":" + " 10}}")
                                .statusCode(200)
                                .extract()
                                .asString())
                .get("generated_text")
                .asText();
        String body = post("/generate_stream", "{\"inputs\": " + INPUTS + ", \"parameters\": {\"max_new_tokens\": 10}}")
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                events.add(JSON.readTree(line.substring(5)));
            }
        }
        assertThat(events).hasSize(10);
        StringBuilder joined = new StringBuilder();
        events.forEach(e -> joined.append(e.at("/token/text").asText()));
        assertThat(joined.toString()).isEqualTo(unary);
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("generated_text").asText()).isEqualTo(unary);
        assertThat(last.at("/details/finish_reason").asText()).isEqualTo("length");
        assertThat(events.get(0).get("generated_text").isNull()).isTrue();
        assertThat(body).doesNotContain("[DONE]");
    }

    @Test
    void infoNamesTheModelAndUnsupportedParametersAreRefusedByName() {
        given().get("/info")
                .then()
                .statusCode(200)
                .body("model_id", equalTo("tiny"))
                .body("max_total_tokens", equalTo(128))
                .body("max_input_tokens", equalTo(127));
        post("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"typical_p\": 0.5}}")
                .statusCode(400)
                .body("error.param", equalTo("parameters.typical_p"));
        post("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"top_p\": 3}}")
                .statusCode(400)
                .body("error.param", equalTo("parameters.top_p"));
        post("/generate", "{\"parameters\": {}}").statusCode(400).body("error.param", equalTo("inputs"));
    }
}
