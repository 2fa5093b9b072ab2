package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HF environment variables resolve as huggingface_hub resolves them. */
class HfEnvironmentTest {
    private static final Path HOME = Path.of("/home/user");

    @Test
    void defaultsToTheUserCacheAndThePublicHubOnline() {
        HfEnvironment env = HfEnvironment.from(Map.<String, String>of()::get, HOME);

        assertThat(env.hubCache()).isEqualTo(Path.of("/home/user/.cache/huggingface/hub"));
        assertThat(env.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(env.offline()).isFalse();
        assertThat(env.token()).isEmpty();
    }

    @Test
    void hfHomeMovesTheHubCache() {
        HfEnvironment env = HfEnvironment.from(Map.of("HF_HOME", "~/hf")::get, HOME);

        assertThat(env.hubCache()).isEqualTo(Path.of("/home/user/hf/hub"));
    }

    @Test
    void xdgCacheHomeIsUsedWithoutHfHome() {
        HfEnvironment env = HfEnvironment.from(Map.of("XDG_CACHE_HOME", "/var/cache")::get, HOME);

        assertThat(env.hubCache()).isEqualTo(Path.of("/var/cache/huggingface/hub"));
    }

    @Test
    void hfHubCacheWinsOverHfHome() {
        HfEnvironment env = HfEnvironment.from(Map.of("HF_HOME", "/a", "HF_HUB_CACHE", "/b")::get, HOME);

        assertThat(env.hubCache()).isEqualTo(Path.of("/b"));
    }

    @Test
    void endpointLosesItsTrailingSlash() {
        HfEnvironment env = HfEnvironment.from(Map.of("HF_ENDPOINT", "http://mirror.local:8080/")::get, HOME);

        assertThat(env.endpoint()).isEqualTo(URI.create("http://mirror.local:8080"));
    }

    @Test
    void offlineAcceptsTheValuesHuggingfaceHubAccepts() {
        for (String on : new String[] {"1", "ON", "yes", "True"}) {
            assertThat(HfEnvironment.from(Map.of("HF_HUB_OFFLINE", on)::get, HOME)
                            .offline())
                    .as(on)
                    .isTrue();
        }
        for (String off : new String[] {"0", "false", "no", ""}) {
            assertThat(HfEnvironment.from(Map.of("HF_HUB_OFFLINE", off)::get, HOME)
                            .offline())
                    .as(off)
                    .isFalse();
        }
        assertThat(HfEnvironment.from(Map.of("TRANSFORMERS_OFFLINE", "1")::get, HOME)
                        .offline())
                .isTrue();
    }

    @Test
    void tokenComesFromHfTokenElseTheTokenFile(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("hf"));
        Files.writeString(home.resolve("hf/token"), "hf_from_file\n");

        assertThat(HfEnvironment.from(Map.of("HF_HOME", home.resolve("hf").toString())::get, home)
                        .token())
                .contains("hf_from_file");
        assertThat(HfEnvironment.from(Map.of("HF_HOME", home.resolve("hf").toString(), "HF_TOKEN", "hf_env")::get, home)
                        .token())
                .contains("hf_env");
    }
}
