package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Model swap under load ({@link KeysProfile}: keys on, 40 rows per batch): 32 streaming clients run while the admin
 * API swaps model {@code tiny} 10 times (new export directories of the tiny model) and is offered 3 broken exports (a
 * truncated model.onnx, a tokenizer whose sha256 is not kotune.json's, no model.onnx). Every stream is a 200 that ends
 * with a finish_reason and {@code [DONE]}, on the version it started with (the {@code X-Kotune-Model-Version} it was
 * answered with names one of the installed versions); no 5xx; each broken export is refused with its reason (422 and
 * in {@code GET /v1/admin/models}) while the version before it keeps serving.
 */
@QuarkusTest
@TestProfile(KeysProfile.class)
class SwapUnderLoadTest {

    private static final int CLIENTS = 32;
    private static final int SWAPS = 10;
    private static final String STREAM = "{\"model\": \"tiny\", \"prompt\": \"질문: 안녕?\\n답변:\", \"max_tokens\": 40,"
            + " \"ignore_eos\": true, \"stream\": true}";

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private static Response admin(String id, Path dir) {
        return given().contentType("application/json")
                .header("Authorization", "Bearer " + KeysProfile.ADMIN_KEY)
                .body("{\"id\": \"" + id + "\", \"path\": \"" + dir + "\"}")
                .post("/v1/admin/models");
    }

    /** A new export directory (links to the tiny export's files), e.g. {@code .versions/v3} in the models dir. */
    private static Path version(String name) {
        return TestExports.link(TestModels.modelsDir().resolve(".versions").resolve(name), TestExports.tiny(), false);
    }

    /** A copy of the tiny export with {@code file} cut to half its bytes ({@code keep} < 0: removed). */
    private static Path broken(String name, String file, boolean remove) {
        Path dir = TestModels.modelsDir().resolve(".versions").resolve(name);
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(TestExports.tiny())) {
                for (Path f : files.toList()) {
                    if (f.getFileName().toString().equals(file)) {
                        if (!remove) {
                            byte[] bytes = Files.readAllBytes(f);
                            Files.write(dir.resolve(file), java.util.Arrays.copyOf(bytes, bytes.length / 2));
                        }
                    } else {
                        Files.createSymbolicLink(dir.resolve(f.getFileName()), f);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One streamed completion: its status, version header and whether it ended properly. */
    private record Outcome(int status, String version, boolean finished, String body) {}

    private static Outcome stream(HttpClient http) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/completions"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + KeysProfile.API_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String body = r.body();
        boolean finished = body.contains("\"finish_reason\":\"length\"")
                && body.endsWith("data: [DONE]\n\n")
                && !body.contains("\"error\"");
        return new Outcome(
                r.statusCode(), r.headers().firstValue("X-Kotune-Model-Version").orElse(null), finished, body);
    }

    @Test
    void thirtyTwoStreamsSurviveTenSwapsAndBrokenExportsAreRefusedWhileTheOldVersionServes() throws Exception {
        admin("tiny", version("v0")).then().statusCode(200).body("loaded_version", startsWith("v0@"));
        Set<String> installed = ConcurrentHashMap.newKeySet();
        installed.add("v0");

        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger started = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(CLIENTS);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.execute(() -> {
                running.countDown();
                while (!stop.get()) {
                    started.incrementAndGet();
                    try {
                        Outcome o = stream(http);
                        outcomes.add(o);
                        if (o.status() != 200 || !o.finished() || o.version() == null) {
                            failures.add(o.status() + " " + o.version() + " " + o.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
        }
        running.await();
        Thread.sleep(300);

        List<String> refusals = new ArrayList<>();
        for (int swap = 1; swap <= SWAPS; swap++) {
            String name = "v" + swap;
            installed.add(name);
            admin("tiny", version(name)).then().statusCode(200).body("loaded_version", startsWith(name + "@"));
            if (swap == 3 || swap == 6 || swap == 9) {
                Path bad = switch (swap) {
                    case 3 -> broken("truncated-onnx", "model.onnx", false);
                    case 6 ->
                        TestExports.link(
                                TestModels.modelsDir().resolve(".versions").resolve("other-tokenizer"),
                                TestExports.tiny(),
                                true);
                    default -> broken("no-onnx", "model.onnx", true);
                };
                Response refused = admin("tiny", bad);
                refused.then().statusCode(422).body("error.code", equalTo("export_rejected"));
                refusals.add(refused.jsonPath().getString("error.message"));
                given().header("Authorization", "Bearer " + KeysProfile.ADMIN_KEY)
                        .get("/v1/admin/models")
                        .then()
                        .statusCode(200)
                        .body("data.find { it.id == 'tiny' }.loaded_version", startsWith(name + "@"))
                        .body("data.find { it.id == 'tiny' }.last_rejection.path", containsString(bad.toString()));
                // the version before the refused one still answers
                Outcome still = stream(http);
                assertThat(still.status()).isEqualTo(200);
                assertThat(still.finished()).isTrue();
                assertThat(still.version()).startsWith(name + "@");
            }
            Thread.sleep(400);
        }
        Thread.sleep(500);
        stop.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(120, TimeUnit.SECONDS)).isTrue();

        assertThat(failures).as("streams that failed or were cut").isEmpty();
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(installed)
                        .contains(o.version().substring(0, o.version().indexOf('@'))));
        assertThat(outcomes.size()).as("streams completed").isGreaterThanOrEqualTo(CLIENTS * 2);
        assertThat(outcomes.stream().map(Outcome::version).distinct().count())
                .as("versions that answered streams while swaps ran")
                .isGreaterThanOrEqualTo(5);
        assertThat(refusals.get(0)).contains("ONNX Runtime cannot load");
        assertThat(refusals.get(1)).contains("tokenizer mismatch");
        assertThat(refusals.get(2)).contains("no model.onnx");
        System.out.printf(
                "swap under load: %d clients, %d swaps, %d broken exports refused, %d streams completed, %d failed,"
                        + " %d versions answered%n",
                CLIENTS,
                SWAPS,
                refusals.size(),
                outcomes.size(),
                failures.size(),
                outcomes.stream().map(Outcome::version).distinct().count());
    }
}
