package dev.kotune.tokenization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where and how hub files are fetched, read from the same environment variables huggingface_hub reads:
 *
 * <ul>
 *   <li>{@code HF_HUB_CACHE} (or legacy {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}; {@code HF_HOME}
 *       defaults to {@code $XDG_CACHE_HOME/huggingface}, {@code XDG_CACHE_HOME} to {@code ~/.cache}.
 *   <li>{@code HF_ENDPOINT}, default {@code https://huggingface.co} (a trailing slash is dropped).
 *   <li>{@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}): {@code 1/ON/YES/TRUE}, any case, means cache only.
 *   <li>{@code HF_TOKEN}, else the file {@code $HF_HOME/token} ({@code HF_TOKEN_PATH} overrides its location):
 *       sent as {@code Authorization: Bearer}.
 * </ul>
 *
 * <p>The lookup is injectable so tests never depend on the real environment. Immutable, thread-safe.
 *
 * @param hubCache the hub cache root, e.g. {@code /root/.cache/huggingface/hub}
 * @param endpoint the hub endpoint, e.g. {@code https://huggingface.co}
 * @param offline true: use only the cache
 * @param token an access token, if any
 */
public record HfEnvironment(Path hubCache, URI endpoint, boolean offline, Optional<String> token) {

    /** The public hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HfEnvironment {
        Objects.requireNonNull(hubCache, "hubCache");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(token, "token");
    }

    /** Reads the process environment ({@link System#getenv(String)}) and {@code user.home}. */
    public static HfEnvironment fromSystem() {
        return from(System::getenv, Path.of(System.getProperty("user.home")));
    }

    /**
     * Reads the variables through {@code env}.
     *
     * @param env variable name to value, {@code null} when unset
     * @param userHome the directory {@code ~} stands for
     */
    public static HfEnvironment from(Function<String, String> env, Path userHome) {
        String xdg = nonBlank(env.apply("XDG_CACHE_HOME"));
        Path hfHome = nonBlank(env.apply("HF_HOME")) != null
                ? expand(env.apply("HF_HOME"), userHome)
                : (xdg != null ? expand(xdg, userHome) : userHome.resolve(".cache")).resolve("huggingface");
        String hubCacheVar = firstNonBlank(env.apply("HF_HUB_CACHE"), env.apply("HUGGINGFACE_HUB_CACHE"));
        Path hubCache = hubCacheVar != null ? expand(hubCacheVar, userHome) : hfHome.resolve("hub");

        String endpointVar = nonBlank(env.apply("HF_ENDPOINT"));
        URI endpoint = parseEndpoint(endpointVar != null ? endpointVar : DEFAULT_ENDPOINT);

        String offlineVar = firstNonBlank(env.apply("HF_HUB_OFFLINE"), env.apply("TRANSFORMERS_OFFLINE"));
        boolean offline =
                offlineVar != null && TRUE_VALUES.contains(offlineVar.trim().toUpperCase(Locale.ROOT));

        Optional<String> token = Optional.ofNullable(nonBlank(env.apply("HF_TOKEN")));
        if (token.isEmpty()) {
            String tokenPathVar = nonBlank(env.apply("HF_TOKEN_PATH"));
            Path tokenFile = tokenPathVar != null ? expand(tokenPathVar, userHome) : hfHome.resolve("token");
            token = readToken(tokenFile);
        }
        return new HfEnvironment(hubCache, endpoint, offline, token);
    }

    /** A copy that talks to {@code newEndpoint} instead (e.g. a configured mirror). */
    public HfEnvironment withEndpoint(String newEndpoint) {
        return new HfEnvironment(hubCache, parseEndpoint(newEndpoint), offline, token);
    }

    /** A copy with the given cache root. */
    public HfEnvironment withHubCache(Path newHubCache) {
        return new HfEnvironment(newHubCache, endpoint, offline, token);
    }

    /** A copy with offline mode set as given. */
    public HfEnvironment withOffline(boolean newOffline) {
        return new HfEnvironment(hubCache, endpoint, newOffline, token);
    }

    private static URI parseEndpoint(String value) {
        String trimmed = value.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri = URI.create(trimmed);
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("HF endpoint must be an http(s) URL, got '" + value + "'");
        }
        return uri;
    }

    private static Optional<String> readToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(
                    nonBlank(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read HF token file " + file, e);
        }
    }

    private static Path expand(String path, Path userHome) {
        String p = path.trim();
        if (p.equals("~")) {
            return userHome;
        }
        if (p.startsWith("~/")) {
            return userHome.resolve(p.substring(2));
        }
        return Path.of(p);
    }

    private static String firstNonBlank(String a, String b) {
        return nonBlank(a) != null ? a : nonBlank(b);
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
