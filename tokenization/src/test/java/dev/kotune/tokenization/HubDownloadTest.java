package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.SharedData;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hub ids are resolved through the huggingface_hub cache layout, against a real local HTTP server that answers
 * like the hub's {@code /{repo}/resolve/{revision}/{file}} endpoint.
 */
class HubDownloadTest {
    private static final String REPO = "skt/kogpt2-base-v2";
    private static final String COMMIT = "d0c0df48bf2b2c9350dd855021a5b216f560c0c7";
    private static final String OLD_COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final int[] CANONICAL_IDS = {
        24454, 401, 25906, 8702, 7801, 13675, 7192, 7643, 401, 25906, 8702, 7801, 8084, 376, 22375, 14355, 7281, 7481,
        6969, 8084, 406
    };
    private static final String CANONICAL = "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?";

    @TempDir
    Path home;

    private LocalHubServer server;
    private byte[] tokenizerJson;
    private final Map<String, String> vars = new HashMap<>();

    @BeforeEach
    void publish() throws IOException {
        tokenizerJson = Files.readAllBytes(SharedData.require("kogpt2/tokenizer.json"));
        byte[] tokenizerConfig = ("{\"bos_token\": \"</s>\", \"eos_token\": \"</s>\", \"pad_token\": \"<pad>\", "
                        + "\"unk_token\": \"<unk>\", \"mask_token\": \"<mask>\", \"model_max_length\": 1024}")
                .getBytes(StandardCharsets.UTF_8);
        server = new LocalHubServer();
        server.publish(
                REPO,
                "main",
                COMMIT,
                Map.of("tokenizer.json", tokenizerJson, "tokenizer_config.json", tokenizerConfig),
                List.of("tokenizer.json"));
        vars.put("HF_HOME", home.resolve("hf").toString());
        vars.put("HF_ENDPOINT", server.endpoint());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TokenizerLoader loader() {
        return new TokenizerLoader(new HubClient(HfEnvironment.from(vars::get, home)));
    }

    private Path repoCache() {
        return home.resolve("hf/hub/models--skt--kogpt2-base-v2");
    }

    @Test
    void downloadsIntoTheHuggingFaceCacheLayoutAndEncodes() throws IOException {
        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo(REPO, "main"))) {
            assertThat(tok.encodeIds(CANONICAL)).containsExactly(CANONICAL_IDS);
            assertThat(tok.info().source()).isEqualTo(REPO + "@main");
            assertThat(tok.info().sha256()).isEqualTo(LocalHubServer.hex("SHA-256", tokenizerJson));
        }

        String sha256 = LocalHubServer.hex("SHA-256", tokenizerJson);
        assertThat(Files.readString(repoCache().resolve("refs/main"))).isEqualTo(COMMIT);
        Path pointer = repoCache().resolve("snapshots/" + COMMIT + "/tokenizer.json");
        assertThat(Files.isSymbolicLink(pointer)).isTrue();
        assertThat(Files.readSymbolicLink(pointer)).isEqualTo(Path.of("../../blobs/" + sha256));
        assertThat(Files.readAllBytes(repoCache().resolve("blobs/" + sha256))).isEqualTo(tokenizerJson);
        Path configBlob = repoCache()
                .resolve("blobs/"
                        + LocalHubServer.gitBlobSha1(Files.readAllBytes(
                                repoCache().resolve("snapshots/" + COMMIT + "/tokenizer_config.json"))));
        assertThat(configBlob).isRegularFile();
        assertThat(repoCache().resolve(".no_exist/" + COMMIT + "/special_tokens_map.json"))
                .exists();
        assertThat(repoCache().resolve(".no_exist/" + COMMIT + "/config.json")).exists();
        try (var blobs = Files.list(repoCache().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
        }
    }

    @Test
    void readsTheSpecialTokenRolesFromTheRepoTokenizerConfig() {
        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo(REPO, "main"))) {
            assertThat(tok.info().token(SpecialTokenRole.BOS).orElseThrow().id())
                    .isEqualTo(1);
            assertThat(tok.info().token(SpecialTokenRole.EOS).orElseThrow().id())
                    .isEqualTo(1);
            assertThat(tok.info().token(SpecialTokenRole.PAD).orElseThrow().id())
                    .isEqualTo(3);
            assertThat(tok.info().modelMaxLength()).isEqualTo(1024);
        }
    }

    @Test
    void fetchesTheLfsFileFromTheCdnWithoutTheToken() {
        vars.put("HF_TOKEN", "hf_secret");

        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();

        assertThat(server.hubRequests())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
        assertThat(server.requests)
                .filteredOn(r -> r.server().equals("cdn"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.method()).isEqualTo("GET");
                    assertThat(r.authorization()).isNull();
                });
    }

    @Test
    void aSecondLoadReusesTheCachedBlobsWithoutDownloading() {
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();
        server.requests.clear();

        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo(REPO, "main"))) {
            assertThat(tok.encodeIds(CANONICAL)).containsExactly(CANONICAL_IDS);
        }
        assertThat(server.requests)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.method()).isEqualTo("HEAD"));
    }

    @Test
    void offlineModeReadsTheCacheAndMakesNoRequest() {
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();
        server.requests.clear();
        vars.put("HF_HUB_OFFLINE", "1");

        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo(REPO, "main"))) {
            assertThat(tok.encodeIds(CANONICAL)).containsExactly(CANONICAL_IDS);
            assertThat(tok.info().token(SpecialTokenRole.PAD).orElseThrow().id())
                    .isEqualTo(3);
        }
        assertThat(server.requests).isEmpty();
    }

    @Test
    void offlineModeWithAnEmptyCacheFailsSayingWhy() {
        vars.put("HF_HUB_OFFLINE", "true");

        assertThatThrownBy(() -> loader().load(new TokenizerSource.HubRepo(REPO, "main")))
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining("HF_HUB_OFFLINE")
                .hasMessageContaining("tokenizer.json");
        assertThat(server.requests).isEmpty();
    }

    @Test
    void anUnreachableEndpointFallsBackToTheCache() throws IOException {
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();
        vars.put("HF_ENDPOINT", "http://127.0.0.1:" + freePort());

        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo(REPO, "main"))) {
            assertThat(tok.encodeIds(CANONICAL)).containsExactly(CANONICAL_IDS);
        }
    }

    @Test
    void anUnreachableEndpointWithoutCacheIsUnavailable() throws IOException {
        vars.put("HF_ENDPOINT", "http://127.0.0.1:" + freePort());

        assertThatThrownBy(() -> loader().load(new TokenizerSource.HubRepo(REPO, "main")))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("not cached");
    }

    @Test
    void anUnknownRepositoryIsNotFound() {
        assertThatThrownBy(() -> loader().load(new TokenizerSource.HubRepo("nobody/nothing", "main")))
                .isInstanceOf(TokenizerNotFoundException.class)
                .hasMessageContaining("nobody/nothing");
    }

    @Test
    void anUnknownRevisionIsNotFound() {
        assertThatThrownBy(() -> loader().load(new TokenizerSource.HubRepo(REPO, "v9")))
                .isInstanceOf(TokenizerNotFoundException.class)
                .hasMessageContaining("revision 'v9'");
    }

    @Test
    void aRepoWithoutTokenizerJsonIsNotFound() {
        server.publish("someone/weights-only", "main", OLD_COMMIT, Map.of("config.json", "{}".getBytes()), List.of());

        assertThatThrownBy(() -> loader().load(new TokenizerSource.HubRepo("someone/weights-only", "main")))
                .isInstanceOf(TokenizerNotFoundException.class)
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void aCommitRevisionIsServedFromTheCacheWithoutAnyRequest() {
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();
        server.requests.clear();

        loader().load(new TokenizerSource.HubRepo(REPO, COMMIT)).close();

        assertThat(server.requests).isEmpty();
    }

    @Test
    void aBranchThatMovedIsFollowedAndTheOldSnapshotKept() throws IOException {
        server.publish(REPO, "main", OLD_COMMIT, Map.of("tokenizer.json", tokenizerJson), List.of("tokenizer.json"));
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();
        assertThat(Files.readString(repoCache().resolve("refs/main"))).isEqualTo(OLD_COMMIT);

        server.publish(REPO, "main", COMMIT, Map.of("tokenizer.json", tokenizerJson), List.of("tokenizer.json"));
        server.requests.clear();
        loader().load(new TokenizerSource.HubRepo(REPO, "main")).close();

        assertThat(Files.readString(repoCache().resolve("refs/main"))).isEqualTo(COMMIT);
        assertThat(repoCache().resolve("snapshots/" + OLD_COMMIT + "/tokenizer.json"))
                .exists();
        assertThat(repoCache().resolve("snapshots/" + COMMIT + "/tokenizer.json"))
                .exists();
        assertThat(server.requests).noneMatch(r -> r.method().equals("GET")); // same blob: linked, not downloaded
    }

    @Test
    void aRenamedRepositoryIsFollowedThroughItsRelativeRedirect() {
        server.rename("skt/old-name", REPO);

        try (KoTokenizer tok = loader().load(new TokenizerSource.HubRepo("skt/old-name", "main"))) {
            assertThat(tok.encodeIds(CANONICAL)).containsExactly(CANONICAL_IDS);
        }
    }

    @Test
    void rejectsARevisionThatCouldLeaveTheCache() {
        assertThatThrownBy(() -> new TokenizerSource.HubRepo(REPO, "../../etc"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("tokenizer.revision"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
