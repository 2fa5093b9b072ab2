package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.inference.engine.OnnxTextGenerator;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The models memory budget ({@link MemoryBudgetProfile}: room for 3 tiny exports, {@code pinned} pinned) over real
 * HTTP on loopback with real ONNX Runtime sessions: 30 exports served in turn (a warm-up round, then two measured) with zero failed requests,
 * never more than 3 in memory (sampled every 2 ms while they are served), RSS growth bounded; a pinned model is never
 * unloaded; concurrent requests for a model that is not loaded load it once; with the budget full of pinned models a
 * request for another waits for room (while the loaded ones keep serving), then gets 503 {@code model_memory_budget}
 * with Retry-After (last: its three pinned models stay in memory for good).
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
@TestProfile(MemoryBudgetProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryBudgetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXPORTS = 30;
    /**
     * RSS growth allowed over the 60 measured requests on 30 exports: 10 exports' worth plus 64 MiB of JIT, heap and
     * arenas (measured: +7 to +90 MB on a busy 2-core machine). All 30 resident (no budget) grew RSS by 930 MB in the
     * same test (31 MB per tiny export).
     */
    private static final long RSS_SLACK = 64L << 20;

    @Inject
    OnnxTextGenerator generator;

    @GrpcClient("inference")
    Channel channel;

    /** gRPC ListModels' {@code loaded} of {@code id}. */
    private boolean loadedOverGrpc(String id) {
        return InferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listModels(ListModelsRequest.getDefaultInstance())
                .getModelsList()
                .stream()
                .filter(m -> m.getId().equals(id))
                .findFirst()
                .map(m -> {
                    assertThat(m.hasLoadedAt()).isEqualTo(m.getLoaded());
                    return m.getLoaded();
                })
                .orElseThrow(() -> new AssertionError("no model " + id + " in ListModels"));
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private static Response complete(String model) {
        return given().contentType(ContentType.JSON)
                .body("{\"model\": \"" + model + "\", \"prompt\": \"" + "질문: 안녕?\\n답변:"
                        + "\", \"max_tokens\": 4, \"ignore_eos\": true}")
                .post("/v1/completions");
    }

    private static double metric(String name, String model) {
        try {
            return Metrics.value(name + "{model=\"" + model + "\"}");
        } catch (AssertionError e) {
            return 0; // not registered yet: never happened
        }
    }

    /** VmRSS of this process (the server runs in it), in bytes. */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    /** A full GC, then time for the cleaners of freed direct buffers to run. */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
        System.gc();
    }

    private static JsonNode models() throws IOException {
        return JSON.readTree(
                given().get("/v1/models").then().statusCode(200).extract().asString());
    }

    private static boolean loaded(JsonNode models, String id) {
        for (JsonNode m : models.path("data")) {
            if (m.path("id").asText().equals(id)) {
                return m.path("loaded").asBoolean();
            }
        }
        throw new AssertionError("no model " + id + " in /v1/models: " + models);
    }

    @Test
    void thirtyExportsInTurnUnderABudgetOfThree() throws Exception {
        for (int i = 0; i < EXPORTS; i++) {
            TestExports.install(String.format("m%02d", i), TestExports.tiny());
        }
        // warm up with one round over all 30: ORT, the tokenizer library, JIT, the Java heap's growth and the malloc
        // arenas reach their steady state, so what is measured next is what serving more exports adds
        for (int i = 0; i < EXPORTS; i++) {
            complete(String.format("m%02d", i)).then().statusCode(200);
        }
        settle();
        long heapBefore = Runtime.getRuntime().totalMemory();
        long before = rss();
        AtomicInteger maxResident = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                maxResident.accumulateAndGet(generator.residentModels().size(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        List<String> failures = new ArrayList<>();
        int served = 0;
        try {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < EXPORTS; i++) {
                    String id = String.format("m%02d", i);
                    Response r = complete(id);
                    if (r.statusCode() != 200) {
                        failures.add(id + ": " + r.statusCode() + " " + r.asString());
                    } else {
                        served++;
                    }
                    assertThat(generator.residentModels()).hasSizeLessThanOrEqualTo(3);
                    assertThat(Metrics.value("kotune_models_resident")).isLessThanOrEqualTo(3);
                }
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        settle();
        long after = rss();
        long heapAfter = Runtime.getRuntime().totalMemory();
        long growth = after - before;
        System.out.printf(
                "memory budget: %d requests on %d exports, %d bytes per export, RSS %d -> %d (%+d bytes; Java heap committed"
                        + " %+d), max resident %d%n",
                served,
                EXPORTS,
                MemoryBudgetProfile.perModel(),
                before,
                after,
                growth,
                heapAfter - heapBefore,
                maxResident.get());

        assertThat(failures).as("failed requests").isEmpty();
        assertThat(served).isEqualTo(2 * EXPORTS);
        assertThat(maxResident.get()).isBetween(1, 3);
        // every export was loaded three times (once a round) and unloaded in between
        for (int i = 3; i < EXPORTS; i++) {
            String id = String.format("m%02d", i);
            assertThat(metric("kotune_model_loads_total", id)).as(id + " loads").isEqualTo(3.0);
            assertThat(metric("kotune_model_unloads_total", id))
                    .as(id + " unloads")
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(metric("kotune_model_load_seconds_count", id))
                    .as(id + " load time")
                    .isEqualTo(3.0);
        }
        // all 30 in memory would be 30 x perModel more; under the budget the growth stays near nothing
        // the Java heap may still grow its committed size (GC ergonomics): what must stay bounded is the rest
        long nativeGrowth = growth - Math.max(0, heapAfter - heapBefore);
        assertThat(nativeGrowth)
                .as("RSS growth less Java heap growth, bytes")
                .isLessThan(10 * MemoryBudgetProfile.perModel() + RSS_SLACK);
        assertThat(Metrics.value("kotune_models_memory_used_bytes")).isLessThanOrEqualTo(MemoryBudgetProfile.budget());
        // /v1/models says which are in memory: the last three served are, the first is not
        JsonNode models = models();
        assertThat(loaded(models, "m29")).isTrue();
        assertThat(loaded(models, "m00")).isFalse();
        assertThat(loadedOverGrpc("m29")).isTrue();
        assertThat(loadedOverGrpc("m00")).isFalse();
    }

    @Test
    void aPinnedModelIsNeverUnloaded() throws Exception {
        TestExports.install(MemoryBudgetProfile.PINNED, TestExports.tiny());
        for (int i = 0; i < 6; i++) {
            TestExports.install("p" + i, TestExports.tiny());
        }
        complete(MemoryBudgetProfile.PINNED).then().statusCode(200);
        double loads = metric("kotune_model_loads_total", MemoryBudgetProfile.PINNED);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 6; i++) {
                complete("p" + i).then().statusCode(200);
                assertThat(generator.residentModels())
                        .contains(MemoryBudgetProfile.PINNED)
                        .hasSizeLessThanOrEqualTo(3);
            }
        }
        complete(MemoryBudgetProfile.PINNED).then().statusCode(200);
        assertThat(metric("kotune_model_loads_total", MemoryBudgetProfile.PINNED))
                .isEqualTo(loads);
        assertThat(metric("kotune_model_unloads_total", MemoryBudgetProfile.PINNED))
                .isZero();
        assertThat(metric("kotune_model_unloads_total", "p0")).isGreaterThanOrEqualTo(1.0);
        assertThat(loaded(models(), MemoryBudgetProfile.PINNED)).isTrue();
    }

    @Test
    void concurrentRequestsForAnUnloadedModelLoadItOnce() throws Exception {
        TestExports.install("once", TestExports.tiny());
        assertThat(loaded(models(), "once")).isFalse();
        assertThat(loadedOverGrpc("once")).isFalse();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(pool.submit(() -> complete("once").statusCode()));
            }
            for (Future<Integer> s : statuses) {
                assertThat(s.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(metric("kotune_model_loads_total", "once")).isEqualTo(1.0);
        assertThat(loaded(models(), "once")).isTrue();
        assertThat(loadedOverGrpc("once")).isTrue();
    }

    @Test
    @Order(Integer.MAX_VALUE) // after the others: its three pinned models stay
    void aFullBudgetOfBusyOrPinnedModelsWaitsThenAnswers503WithRetryAfter() throws Exception {
        List<String> pinned = new ArrayList<>(List.of(MemoryBudgetProfile.MORE_PINNED));
        pinned.add(MemoryBudgetProfile.PINNED);
        for (String id : pinned) {
            TestExports.install(id, TestExports.tiny());
            complete(id).then().statusCode(200);
        }
        TestExports.install("no-room", TestExports.tiny());
        assertThat(generator.residentModels()).containsExactlyInAnyOrderElementsOf(pinned);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long t0 = System.nanoTime();
            Future<Response> waiting = pool.submit(() -> complete("no-room"));
            Thread.sleep(300); // it is waiting for room now
            // the loaded models keep serving while it waits
            for (String id : pinned) {
                complete(id).then().statusCode(200);
            }
            assertThat(waiting.isDone()).as("still waiting for room").isFalse();
            Response refused = waiting.get();
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            refused.then().statusCode(503);
            assertThat(refused.header("Retry-After")).isEqualTo("3");
            JsonNode error = JSON.readTree(refused.asString()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("model_memory_budget");
            assertThat(error.path("message").asText())
                    .contains("no-room", "kotune.inference.models-memory-budget", "pinned");
            assertThat(waitedMs)
                    .as("waited kotune.inference.model-load-wait (3s)")
                    .isGreaterThanOrEqualTo(2_900);
        } finally {
            pool.shutdownNow();
        }
        assertThat(generator.residentModels()).containsExactlyInAnyOrderElementsOf(pinned);
        assertThat(loadedOverGrpc("no-room")).isFalse();
        assertThat(metric("kotune_model_loads_total", "no-room")).isZero();
    }
}
