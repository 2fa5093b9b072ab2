package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerMainTest {

    @Test
    void parsesEveryOption() {
        KafkaBrokerMain.Options options = KafkaBrokerMain.parse(new String[] {
            "--port",
            "19092",
            "--controller-port",
            "19093",
            "--data-dir",
            "/tmp/k",
            "--ready-file",
            "r.txt",
            "--startup-timeout",
            "90",
            "--ignore-stdin"
        });

        assertThat(options)
                .isEqualTo(new KafkaBrokerMain.Options(
                        19092, 19093, Path.of("/tmp/k"), Path.of("r.txt"), Duration.ofSeconds(90), true));
    }

    @Test
    void defaultsToPickedPortsATemporaryDataDirAndSixtySeconds() {
        assertThat(KafkaBrokerMain.parse(new String[0]))
                .isEqualTo(new KafkaBrokerMain.Options(0, 0, null, null, Duration.ofSeconds(60), false));
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndBadPorts() {
        assertThatThrownBy(() -> KafkaBrokerMain.parse(new String[] {"--bogus"}))
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> KafkaBrokerMain.parse(new String[] {"--port"}))
                .hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> KafkaBrokerMain.parse(new String[] {"--port", "70000"}))
                .hasMessageContaining("--port must be in [0, 65535]");
        assertThatThrownBy(() -> KafkaBrokerMain.parse(new String[] {"--port", "x"}))
                .hasMessageContaining("--port needs a number");
        assertThatThrownBy(() -> KafkaBrokerMain.parse(new String[] {"--port", "9092", "--controller-port", "9092"}))
                .hasMessageContaining("must differ");
    }

    @Test
    void answersHelpWithoutStartingAnything() {
        assertThat(KafkaBrokerMain.parse(new String[] {"--help"})).isNull();
        assertThat(KafkaBrokerMain.usage()).contains("--ready-file", KafkaBrokerMain.READY_PREFIX);
    }

    @Test
    void printsBootstrapServersOnceReadyAndStopsCleanlyWhenStdinCloses(@TempDir Path tmp) throws Exception {
        Path readyFile = tmp.resolve("state/bootstrap.txt");
        Path classes = Path.of(KafkaBrokerMain.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Process main = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        classes.toString(),
                        KafkaBrokerMain.class.getName(),
                        "--ready-file",
                        readyFile.toString())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .start();
        try (BufferedReader stdout =
                new BufferedReader(new InputStreamReader(main.getInputStream(), StandardCharsets.UTF_8))) {
            String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(90, TimeUnit.SECONDS);

            assertThat(line)
                    .as("stdout; stderr: %s", Files.readString(tmp.resolve("stderr.txt")))
                    .matches("KAFKA_BOOTSTRAP_SERVERS=127\\.0\\.0\\.1:\\d+");
            String servers = line.substring(KafkaBrokerMain.READY_PREFIX.length());
            assertThat(readyFile).hasContent(servers);
            int port = Integer.parseInt(servers.substring(servers.indexOf(':') + 1));
            assertThat(MetadataProbe.ask("127.0.0.1", port, Duration.ofSeconds(5))
                            .brokerIds())
                    .containsExactly(KraftProperties.NODE_ID);

            main.getOutputStream().close();

            assertThat(main.waitFor(60, TimeUnit.SECONDS))
                    .as("exits after stdin closes")
                    .isTrue();
            assertThat(main.exitValue()).isZero();
            assertThat(readLine(stdout)).as("nothing else on stdout").isNull();
            assertThat(FreePorts.isFree(port)).isTrue();
            assertThat(Files.readString(tmp.resolve("stderr.txt")))
                    .contains("ready in")
                    .contains("stdin closed");
        } finally {
            main.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
