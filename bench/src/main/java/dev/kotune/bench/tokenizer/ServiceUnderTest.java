package dev.kotune.bench.tokenizer;

import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tokenizer service the gRPC rows talk to: the packaged {@code quarkus-run.jar} started as a child JVM on
 * loopback (free ports, the given default tokenizer, logs to a file), or an already running one. Not thread-safe.
 */
final class ServiceUnderTest implements AutoCloseable {
    private final Process process;
    final ManagedChannel channel;
    final String target;

    private ServiceUnderTest(Process process, String host, int port) {
        this.process = process;
        this.target = host + ":" + port;
        this.channel = ManagedChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    /** Connects to a running service at {@code host:port}. */
    static ServiceUnderTest connect(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        ServiceUnderTest s = new ServiceUnderTest(
                null, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        s.awaitReady(30);
        return s;
    }

    /** Starts {@code quarkus-run.jar} with {@code tokenizer} as its default and waits until it answers gRPC. */
    static ServiceUnderTest start(Path jar, Path tokenizer, Path log, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(
                    "no service jar at " + jar + " (./mvnw -pl tokenizer-service -am package)");
        }
        int grpcPort = freePort();
        int httpPort = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dkotune.tokenizer.default-tokenizer=" + tokenizer.toAbsolutePath());
        cmd.add("-Dquarkus.grpc.server.host=127.0.0.1");
        cmd.add("-Dquarkus.grpc.server.port=" + grpcPort);
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dquarkus.http.port=" + httpPort);
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ServiceUnderTest s = new ServiceUnderTest(p, "127.0.0.1", grpcPort);
        try {
            s.awaitReady(120);
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException("service did not start; see " + log, e);
        }
        return s;
    }

    /** The child JVM's pid, when this started one. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    private void awaitReady(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue());
            }
            try {
                TokenizerServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "service at " + target + " not ready after " + seconds + " s: " + e);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
