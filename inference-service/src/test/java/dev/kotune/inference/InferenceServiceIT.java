package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * What ships: the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, started by Quarkus in its own JVM with the
 * prod profile) serves a real export of the tiny model from its models directory: readiness, {@code /v1/models}, and
 * a greedy completion through ONNX Runtime with the export's tokenizer.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedJarResource.class)
class InferenceServiceIT {

    @Test
    void servesTheTinyExportOverRest() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.size()", equalTo(1))
                .body("data[0].id", equalTo("tiny"));

        given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": \"질문: 안녕하세요?\\n답변:\", \"max_tokens\": 8, \"temperature\": 0}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .body("model", equalTo("tiny"))
                .body("choices[0].text", not(emptyString()))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(8));
    }
}
