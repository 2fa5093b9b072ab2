package dev.kotune.tokenizer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real HTTP server on loopback answering like the Hugging Face hub's resolve endpoint, for the service's hub-id
 * path: {@code skt/kogpt2-base-v2} at {@link #COMMIT} serves the shared KoGPT2 tokenizer.json (when the shared
 * data is there); every other repository is 401 {@code RepositoryNotFound}, as on the real hub. The service gets
 * its URL as {@code kotune.tokenizer.hub-endpoint} and an empty temp dir as {@code kotune.tokenizer.hub-cache}.
 */
public class HubTestResource implements QuarkusTestResourceLifecycleManager {
    static final String REPO = "skt/kogpt2-base-v2";
    static final String COMMIT = "d0c0df48bf2b2c9350dd855021a5b216f560c0c7";

    private HttpServer server;
    private Path cache;

    @Override
    public Map<String, String> start() {
        try {
            cache = Files.createTempDirectory("kotune-hub-cache");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kotune.tokenizer.hub-endpoint",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "kotune.tokenizer.hub-cache",
                cache.toString(),
                "kotune.tokenizer.hub-offline",
                "false");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (cache != null) {
            try (Stream<Path> files = Files.walk(cache)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String prefix = "/" + REPO + "/resolve/";
            if (!path.startsWith(prefix)) {
                ex.getResponseHeaders().set("X-Error-Code", "RepositoryNotFound");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String[] revAndFile = path.substring(prefix.length()).split("/", 2);
            if (!revAndFile[0].equals("main") && !revAndFile[0].equals(COMMIT)) {
                ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
            String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
            Path file = dir == null ? null : Path.of(dir, "data", "kogpt2", "tokenizer.json");
            if (revAndFile.length < 2
                    || !revAndFile[1].equals("tokenizer.json")
                    || file == null
                    || !Files.exists(file)) {
                ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            ex.getResponseHeaders().set("ETag", "\"" + sha256(bytes) + "\"");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", String.valueOf(bytes.length));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
