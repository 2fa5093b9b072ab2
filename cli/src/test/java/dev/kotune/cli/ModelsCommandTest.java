package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** {@code kotune models} against an HTTP server on loopback serving inference-service's /v1/models body. */
class ModelsCommandTest {

    private static HttpServer serve(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void printsATableOfTheServedModels() throws Exception {
        HttpServer server = serve(200, """
        {"object":"list","data":[
          {"id":"job-20260101-120000","object":"model","created":1767268800,"owned_by":"kotune"},
          {"id":"kotune-tiny-ko","object":"model","created":1767272400,"owned_by":"kotune"}]}""");
        try {
            KotuneCommandTest.Run run = KotuneCommandTest.run("models", "--url", url(server));
            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
            DateTimeFormatter f =
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
            assertThat(run.out().lines().toList())
                    .containsExactly(
                            "ID                   CREATED              OWNED_BY",
                            "job-20260101-120000  " + f.format(Instant.ofEpochSecond(1767268800)) + "  kotune",
                            "kotune-tiny-ko       " + f.format(Instant.ofEpochSecond(1767272400)) + "  kotune");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void saysSoWhenNothingIsServed() throws Exception {
        HttpServer server = serve(200, "{\"object\":\"list\",\"data\":[]}");
        try {
            KotuneCommandTest.Run run = KotuneCommandTest.run("models", "--url", url(server));
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEqualTo("no models served at " + url(server) + System.lineSeparator());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anErrorStatusIsReported() throws Exception {
        HttpServer server = serve(503, "{\"error\":{\"message\":\"starting\"}}");
        try {
            KotuneCommandTest.Run run = KotuneCommandTest.run("models", "--url", url(server));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .contains("kotune models: GET " + url(server) + "/v1/models failed")
                    .contains("503")
                    .contains("starting");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableServiceNamesTheUrlAndHowToStartIt() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        KotuneCommandTest.Run run = KotuneCommandTest.run("models", "--url", url);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .contains("kotune models: inference-service is not reachable at " + url)
                .contains("inference-service/target/quarkus-app/quarkus-run.jar")
                .doesNotContain("\tat ");
    }

    @Test
    void aUrlThatIsNotHttpIsABadFlag() {
        KotuneCommandTest.Run run = KotuneCommandTest.run("models", "--url", "localhost:8080");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--url must be an http(s) URL");
    }
}
