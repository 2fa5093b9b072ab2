package dev.kotune.inference;

import static io.restassured.RestAssured.given;

/** Reads one sample of the application's Prometheus endpoint over HTTP. */
final class Metrics {

    private Metrics() {}

    /** The value of {@code series}, e.g. {@code kotune_inference_requests_total{api="grpc",outcome="cancelled"}}. */
    static double value(String series) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + series + " in /q/metrics");
    }
}
