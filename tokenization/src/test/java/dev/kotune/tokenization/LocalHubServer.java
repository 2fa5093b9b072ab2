package dev.kotune.tokenization;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on loopback that answers like the Hugging Face hub's file endpoint:
 * {@code HEAD|GET /{org}/{name}/resolve/{revision}/{file}}.
 *
 * <ul>
 *   <li>a regular file: 200 with {@code X-Repo-Commit}, {@code ETag} (git blob sha1, quoted) and the bytes;
 *   <li>an "LFS" file: 302 to a second server (another origin, like the hub's CDN) with {@code X-Repo-Commit},
 *       {@code X-Linked-Etag} (sha256) and {@code X-Linked-Size};
 *   <li>unknown repo: 401 {@code X-Error-Code: RepositoryNotFound}; unknown revision: 404 {@code RevisionNotFound};
 *       unknown file: 404 {@code EntryNotFound} with {@code X-Repo-Commit};
 *   <li>a renamed repo: 307 with a relative {@code Location}.
 * </ul>
 *
 * Every request is recorded (method, path, Authorization header).
 */
final class LocalHubServer implements AutoCloseable {
    /** One recorded request. */
    record Request(String server, String method, String path, String authorization) {}

    private record Repo(Map<String, String> refs, Map<String, Map<String, byte[]>> files, List<String> lfs) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobsBySha256 = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    LocalHubServer() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.start();
        cdn.start();
    }

    /** The endpoint to put in HF_ENDPOINT, e.g. {@code http://127.0.0.1:40123}. */
    String endpoint() {
        return "http://" + hub.getAddress().getAddress().getHostAddress() + ":"
                + hub.getAddress().getPort();
    }

    /** Publishes {@code files} as {@code repoId} at {@code commit}, with {@code branch} pointing at it. */
    void publish(String repoId, String branch, String commit, Map<String, byte[]> files, List<String> lfsFiles) {
        Repo repo = repos.computeIfAbsent(
                repoId,
                k -> new Repo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new CopyOnWriteArrayList<>()));
        repo.refs().put(branch, commit);
        repo.files().put(commit, Map.copyOf(files));
        repo.lfs().addAll(lfsFiles);
    }

    /** Makes {@code oldId} answer with a relative redirect to {@code newId}. */
    void rename(String oldId, String newId) {
        renamed.put(oldId, newId);
    }

    /** Requests the hub (not the CDN) received. */
    List<Request> hubRequests() {
        return requests.stream().filter(r -> r.server().equals("hub")).toList();
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            record(ex, "hub");
            String[] parts = path.substring(1).split("/", 5); // org, name, "resolve", revision, file
            if (parts.length < 5 || !parts[2].equals("resolve")) {
                send(ex, 404, null);
                return;
            }
            String repoId = parts[0] + "/" + parts[1];
            String revision = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
            String file = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            if (renamed.containsKey(repoId)) {
                ex.getResponseHeaders()
                        .set("Location", "/" + renamed.get(repoId) + "/resolve/" + parts[3] + "/" + parts[4]);
                send(ex, 307, null);
                return;
            }
            Repo repo = repos.get(repoId);
            if (repo == null) {
                ex.getResponseHeaders().set("X-Error-Code", "RepositoryNotFound");
                send(ex, 401, null);
                return;
            }
            String commit =
                    repo.files().containsKey(revision) ? revision : repo.refs().get(revision);
            if (commit == null) {
                ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                send(ex, 404, null);
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", commit);
            byte[] bytes = repo.files().get(commit).get(file);
            if (bytes == null) {
                ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                send(ex, 404, null);
                return;
            }
            if (repo.lfs().contains(file)) {
                String sha256 = hex("SHA-256", bytes);
                blobsBySha256.put(sha256, bytes);
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha256 + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", String.valueOf(bytes.length));
                ex.getResponseHeaders().set("ETag", "W/\"cdn-redirect\"");
                URI cdnUri =
                        URI.create("http://" + cdn.getAddress().getAddress().getHostAddress() + ":"
                                + cdn.getAddress().getPort() + "/blobs/" + sha256);
                ex.getResponseHeaders().set("Location", cdnUri.toString());
                send(ex, 302, null);
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + gitBlobSha1(bytes) + "\"");
            send(ex, 200, bytes);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            record(ex, "cdn");
            String path = ex.getRequestURI().getRawPath();
            byte[] bytes = path.startsWith("/blobs/") ? blobsBySha256.get(path.substring("/blobs/".length())) : null;
            send(ex, bytes == null ? 404 : 200, bytes);
        }
    }

    private void record(HttpExchange ex, String server) {
        requests.add(new Request(
                server,
                ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Authorization")));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        if (head) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static String gitBlobSha1(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return hex("SHA-1", all);
    }

    static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
