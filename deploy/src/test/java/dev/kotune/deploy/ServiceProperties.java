package dev.kotune.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service module's {@code src/main/resources/application.properties}, read from the repository: the single source of
 * the ports that its Deployment, Service and Dockerfile must repeat. Only profile-less keys count ({@code %dev.} and
 * {@code %test.} overrides never reach a cluster). Immutable; thread-safe.
 */
final class ServiceProperties {

    /** {@code ${SOME_ENV:8081}}: an expression with a literal default, which is what the image runs with. */
    private static final Pattern EXPRESSION_WITH_DEFAULT = Pattern.compile("\\$\\{[^:}]+:([^}]*)}");

    private final String module;
    private final Path file;
    private final Properties properties;

    private ServiceProperties(String module, Path file, Properties properties) {
        this.module = module;
        this.file = file;
        this.properties = properties;
    }

    /** The properties of {@code module}; fails with the path and what it is needed for when the file is missing. */
    static ServiceProperties of(Path repoRoot, String module) {
        Path file = repoRoot.resolve(module).resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(module + "/src/main/resources/application.properties does not exist (looked at "
                    + file + "). deploy/base/" + module + "/ declares the service's ports, and they must equal"
                    + " quarkus.http.port (and quarkus.grpc.server.port for a gRPC server) in that file: the service"
                    + " module has to pin its ports there before its Deployment can be checked.");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceProperties(module, file, properties);
    }

    Optional<String> value(String key) {
        String raw = properties.getProperty(key);
        if (raw == null) {
            return Optional.empty();
        }
        Matcher m = EXPRESSION_WITH_DEFAULT.matcher(raw.trim());
        return Optional.of(m.matches() ? m.group(1).trim() : raw.trim());
    }

    /** The port under {@code key}, or empty when the key is absent; fails on a value that is not a port number. */
    OptionalInt port(String key) {
        Optional<String> value = value(key);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            int port = Integer.parseInt(value.get());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException("out of range");
            }
            return OptionalInt.of(port);
        } catch (NumberFormatException e) {
            throw new AssertionError(file + ": " + key + "=" + properties.getProperty(key)
                    + " is not a port number (nor an expression with a numeric default) that the manifests can repeat");
        }
    }

    /** The port under {@code key}; fails with a clear message when the key is missing. */
    int requirePort(String key) {
        return port(key)
                .orElseThrow(() ->
                        new AssertionError(module + "/src/main/resources/application.properties" + " does not set "
                                + key + "; pin it there explicitly so the manifests can be checked against it"));
    }

    /** Every profile-less key (keys of {@code %profile.} overrides left out). */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** The environment variable Quarkus maps onto {@code key}: upper case, every other character an underscore. */
    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    String module() {
        return module;
    }

    Path file() {
        return file;
    }
}
