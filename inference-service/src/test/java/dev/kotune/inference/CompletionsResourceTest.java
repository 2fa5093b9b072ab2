package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI-compatible REST API over real HTTP. */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class CompletionsResourceTest {

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private static ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/v1/completions")
                .then();
    }

    @Test
    void listsModelsInOpenAisShape() {
        TestModels.create("chatbot", "job-7", 60);
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.size()", equalTo(1))
                .body("data[0].id", equalTo("chatbot"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("kotune"))
                .body("data[0].loaded", equalTo(false))
                .body("data[0].created", greaterThan(1_600_000_000));
    }

    @Test
    void listsAnEmptyModelsDirectoryAsAnEmptyList() {
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data", empty());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "temperature        | 100.5 | [0, 100]",
                "temperature        | -1    | [0, 100]",
                "top_p              | 0     | (0, 1]",
                "top_p              | 1.01  | (0, 1]",
                "top_k              | -1    | [0, vocab_size]",
                "repetition_penalty | 0     | (0, 10]",
                "repetition_penalty | 11    | (0, 10]",
                "no_repeat_ngram_size | 17  | [0, 16]",
                "max_tokens         | 0     | [1, context_length - prompt_length]",
                "logprobs           | 21    | [0, 20]",
                "n                  | 17    | [1, 16]",
                "presence_penalty   | 3     | [-2, 2]",
                "frequency_penalty  | -2.5  | [-2, 2]",
                "best_of            | 2     | is not supported",
                "suffix             | \"x\" | is not supported",
                "stop               | [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"] | at most 8",
            })
    void rejectsAnOutOfRangeParameterWith400NamingIt(String field, String value, String range) {
        post("{\"prompt\": \"질문: 안녕?\\n답변:\", \"" + field + "\": " + value + "}")
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(field))
                .body("error.code", equalTo("invalid_value"))
                .body("error.message", startsWith(field + ": "))
                .body("error.message", containsString(range));
    }

    @Test
    void rejectsALogitBiasThatIsNotIdsToBiasesInRange() {
        post("{\"prompt\": \"hi\", \"logit_bias\": {\"five\": 1}}")
                .statusCode(400)
                .body("error.param", equalTo("logit_bias"))
                .body("error.message", containsString("keys must be token ids"));
        post("{\"prompt\": \"hi\", \"logit_bias\": {\"5\": 101}}")
                .statusCode(400)
                .body("error.param", equalTo("logit_bias[5]"))
                .body("error.message", containsString("[-100, 100]"));
    }

    @Test
    void rejectsAnEmptyStopStringNamingItsIndex() {
        post("{\"prompt\": \"hi\", \"stop\": [\"ok\", \"\"]}").statusCode(400).body("error.param", equalTo("stop[1]"));
    }

    @Test
    void requiresANonBlankPrompt() {
        post("{\"max_tokens\": 5}")
                .statusCode(400)
                .body("error.param", equalTo("prompt"))
                .body("error.message", startsWith("prompt: is required"));
        post("{\"prompt\": \"   \"}")
                .statusCode(400)
                .body("error.param", equalTo("prompt"))
                .body("error.message", equalTo("prompt: must not be blank"));
        post("{\"prompt\": {\"text\": \"hi\"}}").statusCode(400).body("error.param", equalTo("prompt"));
    }

    @Test
    void answersMalformedJsonWith400() {
        post("{\"prompt\": \"hi\",")
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_json"))
                .body("error.param", nullValue());
        given().contentType(ContentType.JSON)
                .post("/v1/completions")
                .then()
                .statusCode(400)
                .body("error.param", equalTo("prompt"));
    }

    @Test
    void answersAMistypedFieldWith400NamingIt() {
        post("{\"prompt\": \"hi\", \"temperature\": \"hot\"}")
                .statusCode(400)
                .body("error.param", equalTo("temperature"))
                .body("error.code", equalTo("invalid_type"));
        post("{\"prompt\": \"hi\", \"max_tokens\": 2147483648}")
                .statusCode(400)
                .body("error.param", equalTo("max_tokens"));
    }

    @Test
    void answers404ForAnUnknownModel() {
        TestModels.create("chatbot", "", 0);
        post("{\"model\": \"gpt-4\", \"prompt\": \"hi\"}")
                .statusCode(404)
                .body("error.param", equalTo("model"))
                .body("error.code", equalTo("model_not_found"));
    }

    @Test
    void answers503WhenNoModelCanAnswerOrTheExportIsIncomplete() {
        post("{\"prompt\": \"hi\"}")
                .statusCode(503)
                .body("error.code", equalTo("model_unavailable"))
                .body("error.message", startsWith("no model loaded: no model in "));
        TestModels.create("chatbot", "", 0);
        // temperature 0 is OpenAI's greedy, not an out-of-range value.
        post("{\"model\": \"chatbot\", \"prompt\": \"hi\", \"temperature\": 0, \"max_tokens\": 8}")
                .statusCode(503)
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("model_invalid"))
                .body("error.message", startsWith("model chatbot: no model.onnx in "));
        post("{\"prompt\": \"hi\", \"stream\": true}")
                .statusCode(503)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("model_invalid"));
    }

    @Test
    void keepsJaxRsStatusesForWrongRoutesAndMediaTypes() {
        given().contentType(ContentType.TEXT)
                .body("hi")
                .post("/v1/completions")
                .then()
                .statusCode(415);
        given().get("/v1/completions").then().statusCode(405);
    }
}
