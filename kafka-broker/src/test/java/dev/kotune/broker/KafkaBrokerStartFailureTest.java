package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaBrokerStartFailureTest {

    @Test
    void failsFastWithTheLogTailWhenItsPortIsTaken() throws Exception {
        Set<Path> workDirsBefore = workDirs();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            KafkaBroker broker =
                    KafkaBroker.builder().port(taken.getLocalPort()).build();
            long started = System.nanoTime();

            KafkaBrokerStartException failure = catchThrowableOfType(KafkaBrokerStartException.class, broker::start);

            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(failure).isNotNull();
            assertThat(took).as("fails fast, long before the startup timeout").isLessThan(Duration.ofSeconds(30));
            assertThat(failure.getMessage())
                    .contains("exited with code")
                    .contains("--- last ")
                    .contains("Address already in use");
            assertThat(failure.logTail()).isNotEmpty().hasSizeLessThanOrEqualTo(KafkaBroker.LOG_TAIL_LINES);
            assertThat(broker.isRunning()).isFalse();
        }
        assertThat(workDirs()).as("the failed broker's work dir is deleted").isSubsetOf(workDirsBefore);
    }

    @Test
    void givesUpWithTheLogTailWhenNotReadyWithinTheStartupTimeout() throws Exception {
        Set<Path> workDirsBefore = workDirs();
        KafkaBroker broker =
                KafkaBroker.builder().startupTimeout(Duration.ofMillis(300)).build();

        KafkaBrokerStartException failure = catchThrowableOfType(KafkaBrokerStartException.class, broker::start);

        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains("did not become ready within").contains("--- last ");
        assertThat(broker.isRunning()).isFalse();
        assertThat(workDirs()).isSubsetOf(workDirsBefore);
    }

    /** Work directories owned by this JVM (other users of the machine may run brokers too). */
    private static Set<Path> workDirs() throws Exception {
        String me = Long.toString(ProcessHandle.current().pid());
        Set<Path> dirs = new HashSet<>();
        try (DirectoryStream<Path> stream =
                Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), WorkDirs.PREFIX + "*")) {
            for (Path dir : stream) {
                Path owner = dir.resolve(WorkDirs.OWNER_PID);
                if (Files.isRegularFile(owner) && Files.readString(owner).trim().equals(me)) {
                    dirs.add(dir);
                }
            }
        }
        return dirs;
    }
}
