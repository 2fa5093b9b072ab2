package dev.kotune.tokenization;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Downloads files of a hub model repository into the {@link HfCache} the way huggingface_hub's
 * {@code hf_hub_download} does: {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}} reads the commit
 * ({@code X-Repo-Commit}) and the blob id ({@code X-Linked-Etag}, else {@code ETag}); the ref is recorded; a
 * blob already in the cache is linked, otherwise the file is fetched with {@code GET} into a temp file, checked
 * against the announced size and renamed into {@code blobs/}. With {@code HF_HUB_OFFLINE} only the cache is read;
 * when the endpoint cannot be reached a cached copy is used if there is one.
 *
 * <p>Thread-safe: the {@link HttpClient} is shared and every cache write is atomic.
 */
public final class HubClient {
    private static final int MAX_REDIRECTS = 5;
    /** Commit hashes and ETags become file names in the cache: nothing that could climb out of it. */
    private static final Pattern SAFE_NAME = Pattern.compile("^(?!\\.)[A-Za-z0-9_.-]{1,128}$");

    private static final String USER_AGENT =
            "kotune-tokenization/0.1; java/" + Runtime.version().feature();

    private final HfEnvironment env;
    private final HfCache cache;
    private final HttpClient http;
    private final Duration requestTimeout;

    /** A client with a 10 s connect and metadata timeout (huggingface_hub's HF_HUB_ETAG_TIMEOUT default). */
    public HubClient(HfEnvironment env) {
        this(env, Duration.ofSeconds(10));
    }

    public HubClient(HfEnvironment env, Duration requestTimeout) {
        this.env = Objects.requireNonNull(env, "env");
        this.cache = new HfCache(env.hubCache());
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = HttpClient.newBuilder()
                .connectTimeout(requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand: Authorization must not leak to a CDN
                .build();
    }

    /** The cache this client writes to. */
    public HfCache cache() {
        return cache;
    }

    /** The environment this client was built from. */
    public HfEnvironment environment() {
        return env;
    }

    /**
     * Fetches {@code required} and {@code optional} files of one repository at one commit and returns the
     * snapshot directory that holds them.
     *
     * @throws TokenizerNotFoundException when the repo, revision or a required file does not exist
     * @throws HubOfflineException when offline and a required file is not cached
     * @throws HubUnavailableException when the endpoint fails and a required file is not cached
     */
    public Path snapshot(String repoId, String revision, List<String> required, List<String> optional) {
        if (required.isEmpty()) {
            throw new IllegalArgumentException("at least one required file");
        }
        Path first = download(repoId, revision, required.get(0), true).orElseThrow();
        // Pin the rest to the commit the first file came from, so a moving branch cannot mix two commits.
        String commit = first.getParent().getFileName().toString();
        String pinned = HfCache.isCommitHash(commit) ? commit : revision;
        for (String file : required.subList(1, required.size())) {
            download(repoId, pinned, file, true);
        }
        for (String file : optional) {
            download(repoId, pinned, file, false);
        }
        return first.getParent();
    }

    /**
     * Resolves one file to its cached snapshot path, downloading it when needed.
     *
     * @param required true: a missing file is an error; false: it is reported as empty
     * @return the snapshot path, or empty when an optional file does not exist
     */
    public Optional<Path> download(String repoId, String revision, String file, boolean required) {
        if (!TokenizerSource.HubRepo.isValidRepoId(repoId)) {
            throw new InvalidInputException("tokenizer.name", "not a valid hub repo id: '" + repoId + "'");
        }
        TokenizerSource.HubRepo.requireValidRevision(revision);
        // A commit-hash revision whose file is cached needs no network at all.
        if (HfCache.isCommitHash(revision)) {
            Path pointer = cache.snapshotFile(repoId, revision, file);
            if (Files.isRegularFile(pointer)) {
                return Optional.of(pointer);
            }
            if (!required && Files.exists(cache.noExistMarker(repoId, revision, file))) {
                return Optional.empty(); // a commit never changes: the hub already said it lacks this file
            }
        }
        if (env.offline()) {
            return fromCacheOffline(repoId, revision, file, required);
        }

        URI url = resolveUrl(repoId, revision, file);
        HttpResponse<Void> head;
        try {
            head = send(url, "HEAD", HttpResponse.BodyHandlers.discarding(), true);
        } catch (IOException e) {
            return fromCacheAfterFailure(repoId, revision, file, required, "cannot reach " + url + ": " + e, e);
        }

        int status = head.statusCode();
        String errorCode = head.headers().firstValue("X-Error-Code").orElse("");
        if (status == 404 && !errorCode.equals("RepositoryNotFound") && !errorCode.equals("RevisionNotFound")) {
            head.headers()
                    .firstValue("X-Repo-Commit")
                    .filter(HfCache::isCommitHash)
                    .ifPresent(commit -> {
                        try {
                            cache.markMissing(repoId, commit, file);
                        } catch (IOException ignored) {
                            // the marker only saves a request next time
                        }
                    });
            if (!required) {
                return Optional.empty();
            }
            throw new TokenizerNotFoundException(
                    repoId, "the hub has no file '" + file + "' at revision '" + revision + "'");
        }
        if (status == 404 || status == 401 || status == 403) {
            String what = errorCode.equals("RevisionNotFound")
                    ? "the hub has no revision '" + revision + "'"
                    : "the hub has no repository '" + repoId + "' (or it is private or gated: set HF_TOKEN)";
            throw new TokenizerNotFoundException(repoId, what + " [HTTP " + status + " from " + url + "]");
        }
        if (status >= 400) {
            return fromCacheAfterFailure(repoId, revision, file, required, "HTTP " + status + " from " + url, null);
        }

        HttpHeaders h = head.headers();
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        String etag = normalizeEtag(
                h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
        if (commit == null
                || etag == null
                || !SAFE_NAME.matcher(commit).matches()
                || !SAFE_NAME.matcher(etag).matches()) {
            throw new HubUnavailableException(
                    "the endpoint " + env.endpoint() + " sent no usable X-Repo-Commit/ETag for " + url + " (got "
                            + commit + " / " + etag + "): not a Hugging Face hub? (check HF_ENDPOINT)",
                    null);
        }
        OptionalLong size = parseLong(h.firstValue("X-Linked-Size").orElse(null));
        if (size.isEmpty() && status == 200) {
            size = parseLong(h.firstValue("Content-Length").orElse(null));
        }

        try {
            cache.writeRef(repoId, revision, commit);
            Path pointer = cache.snapshotFile(repoId, commit, file);
            if (Files.isRegularFile(pointer)) {
                return Optional.of(pointer);
            }
            if (Files.isRegularFile(cache.blob(repoId, etag))) {
                return Optional.of(cache.link(repoId, commit, file, etag));
            }
            Path tmp = cache.newIncompleteFile(repoId, etag);
            try {
                fetchInto(url, tmp, size);
                return Optional.of(cache.commit(repoId, commit, file, etag, tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new HubUnavailableException("download of " + url + " into " + cache.root() + " failed: " + e, e);
        }
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{file}}, revision fully escaped, file escaped per segment. */
    public URI resolveUrl(String repoId, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.split("/")) {
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(escape(segment));
        }
        return URI.create(env.endpoint() + "/" + repoId + "/resolve/" + escape(revision) + "/" + path);
    }

    private void fetchInto(URI url, Path target, OptionalLong expectedSize) throws IOException {
        HttpResponse<Path> get = send(url, "GET", HttpResponse.BodyHandlers.ofFile(target), false);
        if (get.statusCode() != 200) {
            throw new IOException("GET " + url + " answered HTTP " + get.statusCode());
        }
        long actual = Files.size(target);
        if (expectedSize.isPresent() && expectedSize.getAsLong() != actual) {
            throw new IOException(
                    "GET " + url + " gave " + actual + " bytes, the hub announced " + expectedSize.getAsLong());
        }
    }

    /**
     * Sends a request, following redirects by hand. HEAD follows only relative redirects (a renamed repository), as
     * huggingface_hub does: an absolute one points at file storage and its headers already carry the metadata.
     */
    private <T> HttpResponse<T> send(URI url, String method, HttpResponse.BodyHandler<T> body, boolean relativeOnly)
            throws IOException {
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(current)
                    .timeout(requestTimeout)
                    .header("User-Agent", USER_AGENT)
                    .header("Accept-Encoding", "identity")
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (env.token().isPresent() && sameOrigin(current, env.endpoint())) {
                req.header("Authorization", "Bearer " + env.token().get());
            }
            HttpResponse<T> resp;
            try {
                resp = http.send(req.build(), body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while talking to " + current);
            }
            int status = resp.statusCode();
            Optional<String> location = resp.headers().firstValue("Location");
            if (status < 300 || status >= 400 || location.isEmpty() || hop >= MAX_REDIRECTS) {
                return resp;
            }
            URI next = URI.create(location.get());
            if (next.isAbsolute() && relativeOnly) {
                return resp;
            }
            current = current.resolve(next);
        }
    }

    private Optional<Path> fromCacheOffline(String repoId, String revision, String file, boolean required) {
        Optional<Path> cached = cache.cachedFile(repoId, revision, file);
        if (cached.isPresent() || !required) {
            return cached;
        }
        throw new HubOfflineException("HF_HUB_OFFLINE is set and '" + file + "' of " + repoId + "@" + revision
                + " is not in the cache " + cache.root() + ": download it once online, or point at a local file");
    }

    private Optional<Path> fromCacheAfterFailure(
            String repoId, String revision, String file, boolean required, String why, Throwable cause) {
        Optional<Path> cached = cache.cachedFile(repoId, revision, file);
        if (cached.isPresent()) {
            return cached;
        }
        if (!required) {
            return Optional.empty(); // an optional file simply stays absent (known missing or not)
        }
        throw new HubUnavailableException(
                why + "; and " + repoId + "@" + revision + "/" + file + " is not cached in " + cache.root(), cause);
    }

    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.isEmpty() ? null : e;
    }

    private static OptionalLong parseLong(String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && a.getPort() == b.getPort();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static String escape(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
