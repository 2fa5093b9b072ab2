package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One load per source, shared across threads, failures not remembered. */
class TokenizerRegistryTest {
    private static final String CANONICAL = "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?";

    @TempDir
    Path home;

    private TokenizerLoader offlineLoader() {
        return new TokenizerLoader(new HubClient(
                HfEnvironment.from(Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", "1")::get, home)));
    }

    @Test
    void theDefaultAndItsExplicitNameShareOneInstance() {
        Path file = SharedData.require("kogpt2/tokenizer.json");
        try (TokenizerRegistry registry = new TokenizerRegistry(offlineLoader(), file.toString(), "")) {
            KoTokenizer byDefault = registry.getDefault();

            assertThat(registry.get(file.toString(), "")).isSameAs(byDefault);
            assertThat(registry.get(
                            file.getParent().resolve("../kogpt2/tokenizer.json").toString(), "main"))
                    .isSameAs(byDefault);
            assertThat(registry.loaded()).hasSize(1);
        }
    }

    @Test
    void concurrentFirstCallsLoadOnceAndEncodeAlike() throws Exception {
        byte[] tokenizerJson = Files.readAllBytes(SharedData.require("kogpt2/tokenizer.json"));
        try (LocalHubServer hub = new LocalHubServer()) {
            hub.publish(
                    "skt/kogpt2-base-v2",
                    "main",
                    "d0c0df48bf2b2c9350dd855021a5b216f560c0c7",
                    Map.of("tokenizer.json", tokenizerJson),
                    List.of("tokenizer.json"));
            TokenizerLoader loader = new TokenizerLoader(new HubClient(
                    HfEnvironment.from(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", hub.endpoint())::get, home)));
            try (TokenizerRegistry registry = new TokenizerRegistry(loader, "skt/kogpt2-base-v2", "")) {
                int threads = 8;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<KoTokenizer>> instances = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    instances.add(pool.submit(() -> {
                        start.await();
                        return registry.getDefault();
                    }));
                }
                start.countDown();
                KoTokenizer first = instances.get(0).get();
                for (Future<KoTokenizer> f : instances) {
                    assertThat(f.get()).isSameAs(first);
                }
                assertThat(hub.hubRequests())
                        .filteredOn(r -> r.method().equals("HEAD") && r.path().endsWith("/tokenizer.json"))
                        .as("one load: one HEAD for tokenizer.json")
                        .hasSize(1);

                List<Future<int[]>> results = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    results.add(pool.submit(() -> registry.getDefault().encodeIds(CANONICAL)));
                }
                int[] expected = first.encodeIds(CANONICAL);
                for (Future<int[]> f : results) {
                    assertThat(f.get()).containsExactly(expected);
                }
                pool.shutdown();
                assertThat(registry.loaded()).hasSize(1);
            }
        }
    }

    @Test
    void aFailedLoadIsRetriedOnTheNextCall(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{ not json");
        try (TokenizerRegistry registry = new TokenizerRegistry(offlineLoader(), file.toString(), "")) {
            assertThatThrownBy(registry::getDefault)
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.field()).isEqualTo("tokenizer.name"));

            Files.copy(
                    SharedData.require("kogpt2/tokenizer.json"),
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            assertThat(registry.getDefault().encodeIds("안녕")).containsExactly(25906);
        }
    }

    @Test
    void anUnknownHubIdOfflineFailsWithoutCaching() {
        try (TokenizerRegistry registry = new TokenizerRegistry(offlineLoader(), "skt/kogpt2-base-v2", "")) {
            assertThatThrownBy(registry::getDefault).isInstanceOf(HubOfflineException.class);
            assertThat(registry.loaded()).isEmpty();
        }
    }

    @Test
    void closingFreesTheTokenizersAndRefusesNewCalls() {
        Path file = SharedData.require("kogpt2/tokenizer.json");
        TokenizerRegistry registry = new TokenizerRegistry(offlineLoader(), file.toString(), "");
        KoTokenizer tok = registry.getDefault();

        registry.close();

        assertThatThrownBy(() -> tok.encodeIds("안녕")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(registry::getDefault).isInstanceOf(IllegalStateException.class);
    }
}
