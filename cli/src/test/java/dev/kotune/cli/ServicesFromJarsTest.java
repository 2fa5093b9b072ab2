package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.broker.KafkaBootstrapServers;
import dev.kotune.broker.KafkaBrokerExtension;
import dev.kotune.testing.RepoFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three services start from their packaged jars ({@code <module>/target/quarkus-app/quarkus-run.jar}, built by the
 * reactor before this module's tests) as separate JVMs on loopback, against the real broker, and answer health and
 * metrics — the same way {@code ./kotune demo} and a container start them.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ServicesFromJarsTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ParameterizedTest
    @ValueSource(strings = {"tokenizer-service", "trainer-service", "inference-service"})
    void serviceStartsFromItsJarAndAnswersHealthAndMetrics(
            String module, @KafkaBootstrapServers String kafka, @TempDir Path home) throws Exception {
        Path root = RepoFiles.root();
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        assertThat(Files.isRegularFile(jar))
                .as("%s is built by the reactor before cli's tests (run ./mvnw verify from the root)", jar)
                .isTrue();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafka);
        config.put("kotune.home", home.toString());
        config.put("quarkus.grpc.server.port", Integer.toString(ServiceProcess.freePort()));
        config.put(
                "kotune.tokenizer.default-tokenizer",
                RepoFiles.require("models/kotune-ko-bpe-8k/tokenizer.json").toString());
        config.put("kotune.trainer.builtin-models-dir", root.resolve("models").toString());
        try (ServiceProcess service = ServiceProcess.start(root, module, config, home.resolve("logs"))) {
            service.awaitReady(Duration.ofSeconds(120));
            String base = "http://127.0.0.1:" + service.httpPort();

            HttpResponse<String> live = get(base + "/q/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).contains("\"status\": \"UP\"");

            HttpResponse<String> ready = get(base + "/q/health/ready");
            assertThat(ready.statusCode()).as(service.tail(30)).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\": \"UP\"");

            HttpResponse<String> metrics = get(base + "/q/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse(""))
                    .containsAnyOf("text/plain", "application/openmetrics-text");
            assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("kotune_");
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
