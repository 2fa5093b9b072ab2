package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.kotune.inference.engine.OnnxTextGenerator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class HealthAndMetricsTest {

    @Test
    void isLive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWithTheGrpcServerAndTheModelsDirectory() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("gRPC Server", "kotune-models"))
                .body(
                        "checks.find { it.name == 'kotune-models' }.data.generator",
                        equalTo(OnnxTextGenerator.class.getName()))
                .body("checks.find { it.name == 'kotune-models' }.data.events_following", equalTo("false"));
    }

    @Test
    void exposesPrometheusMetricsWithTheRequestCounters() {
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("kotune_inference_requests_total{api=\"grpc\",outcome=\"invalid\"}"))
                .body(containsString("kotune_inference_requests_total{api=\"rest\",outcome=\"unavailable\"}"))
                .body(containsString("kotune_inference_requests_total{api=\"grpc\",outcome=\"overloaded\"}"))
                .body(containsString("kotune_inference_generated_tokens_total{api=\"rest\"}"))
                .body(containsString("jvm_memory_used_bytes"));
    }
}
