package dev.kotune.trainer;

import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.tokenization.HubClient;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenizerLoader;
import dev.kotune.tokenization.TokenizerRegistry;
import dev.kotune.tokenizer.TokenizerGrpcService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real tokenizer-service implementation ({@link TokenizerGrpcService} from the tokenizer-service module, with the
 * tokenization library's registry) served by a plain grpc-java Netty server on loopback. Chosen over the packaged
 * jar in a child JVM because the tests must stop and start it on the same port at will (the "service down" case) and
 * it starts in milliseconds; the code answering is the service's own. Counts calls per RPC. Not thread-safe for
 * start/stop; one owner.
 */
public final class TokenizerServer implements AutoCloseable {

    /** The port the Quarkus tests' trainer is configured with ({@link TokenizerServerResource}). */
    public static final String PORT_KEY = "quarkus.grpc.clients.tokenizer.port";

    private static TokenizerServer shared;

    private final int port;
    private final Path defaultTokenizer;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private TokenizerRegistry registry;
    private Server server;

    public TokenizerServer(int port, Path defaultTokenizer) {
        this.port = port;
        this.defaultTokenizer = defaultTokenizer;
    }

    /** One server for the Quarkus tests of this JVM, on the configured port; started if it is not running. */
    public static synchronized TokenizerServer shared(int port) throws IOException {
        if (shared == null) {
            shared = new TokenizerServer(
                    port,
                    Path.of("../models/kotune-ko-bpe-8k/tokenizer.json")
                            .toAbsolutePath()
                            .normalize());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        if (!shared.running()) {
            shared.start();
        }
        return shared;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public synchronized TokenizerServer start() throws IOException {
        registry = new TokenizerRegistry(
                new TokenizerLoader(new HubClient(HfEnvironment.fromSystem().withOffline(true))),
                defaultTokenizer.toString(),
                "main");
        var service = new TokenizerGrpcService(registry, TextLimits.DEFAULT, new SimpleMeterRegistry());
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(ServerInterceptors.intercept(service, new Counting()))
                .build()
                .start();
        return this;
    }

    public synchronized boolean running() {
        return server != null && !server.isShutdown();
    }

    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    public int port() {
        return port;
    }

    /** Calls received by RPC name, e.g. "PrepareExamples". */
    public int calls(String rpc) {
        AtomicInteger n = calls.get(rpc);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        stop();
    }

    private final class Counting implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            calls.computeIfAbsent(call.getMethodDescriptor().getBareMethodName(), k -> new AtomicInteger())
                    .incrementAndGet();
            return next.startCall(call, headers);
        }
    }
}
