package dev.kotune.inference.access;

import dev.kotune.inference.InferenceConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The API and admin keys ({@code kotune.inference.api-keys-file}, {@code api-keys}, {@code admin-keys-file},
 * {@code admin-keys}), read once at start; what REST ({@link RestAccess}) and gRPC ({@link GrpcAccess}) check an
 * {@code Authorization: Bearer <key>} against. Keys are kept as SHA-256 digests and compared in constant time (every
 * key is compared, with {@link MessageDigest#isEqual}); they are never logged. No key at all: open, said once at
 * start. Immutable, thread-safe.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /** What a request may do. */
    public enum Access {
        /** No key or a wrong one (while keys are required). */
        NONE,
        /** Inference routes. */
        API,
        /** Inference routes and model load/swap. */
        ADMIN
    }

    private final List<byte[]> api;
    private final List<byte[]> admin;

    public ApiKeys(InferenceConfig config) {
        this.api = digests(keys(config.apiKeysFile(), config.apiKeys(), "kotune.inference.api-keys-file"));
        this.admin = digests(keys(config.adminKeysFile(), config.adminKeys(), "kotune.inference.admin-keys-file"));
        if (api.isEmpty() && admin.isEmpty()) {
            LOG.warn("API keys are off: REST and gRPC are open to anyone who can reach them, model load/swap"
                    + " (/v1/admin/*) included; set kotune.inference.api-keys-file and admin-keys-file to require"
                    + " Authorization: Bearer <key>");
        } else {
            LOG.infof(
                    "API keys on: %d API key(s), %d admin key(s); /q/health and /q/metrics stay open%s",
                    api.size(), admin.size(), admin.isEmpty() ? "; no admin key, so /v1/admin/* is closed" : "");
        }
    }

    /** Whether inference routes need a key. */
    public boolean required() {
        return !api.isEmpty() || !admin.isEmpty();
    }

    /** What the bearer of {@code authorization} (the header's value; null when absent) may do. */
    public Access access(String authorization) {
        if (!required()) {
            return Access.ADMIN;
        }
        String key = bearer(authorization);
        if (key == null) {
            return Access.NONE;
        }
        byte[] digest = digest(key);
        if (matches(admin, digest)) {
            return Access.ADMIN;
        }
        return matches(api, digest) ? Access.API : Access.NONE;
    }

    /** The key of an {@code Authorization: Bearer <key>} header; null when it is not one. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = value.substring(7).trim();
        return key.isEmpty() ? null : key;
    }

    /** Compares with every key (no early exit), each in constant time. */
    private static boolean matches(List<byte[]> keys, byte[] digest) {
        boolean found = false;
        for (byte[] k : keys) {
            found |= MessageDigest.isEqual(k, digest);
        }
        return found;
    }

    private static List<String> keys(Optional<Path> file, Optional<List<String>> given, String property) {
        List<String> out = new ArrayList<>();
        given.ifPresent(list ->
                list.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add));
        if (file.isPresent()) {
            try {
                for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                    String key = line.trim();
                    if (!key.isEmpty() && !key.startsWith("#")) {
                        out.add(key);
                    }
                }
            } catch (IOException e) {
                // refuse to start open when keys were asked for but cannot be read
                throw new UncheckedIOException(
                        property + ": cannot read the key file " + file.get() + ": "
                                + e.getClass().getSimpleName(),
                        e);
            }
            if (out.isEmpty()) {
                throw new IllegalStateException(property + ": " + file.get() + " holds no key (one key per line)");
            }
        }
        return out;
    }

    private static List<byte[]> digests(List<String> keys) {
        return keys.stream().map(ApiKeys::digest).toList();
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
