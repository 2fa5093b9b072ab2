package dev.kotune.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.gpt2.TrainingExample;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.trainer.TokenizerServer;
import dev.kotune.trainer.domain.PromptFormat;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC path against the real tokenizer-service implementation on loopback ({@link TokenizerServer}): the same
 * rows as the in-process path, the sha256 check, and waiting for a service that is down.
 */
class GrpcExampleSourceTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path BASE = REPO.resolve("models/kotune-tiny-ko");
    private static final List<Example> EXAMPLES = List.of(
            new Example("안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?"),
            new Example("오늘 날씨 어때?", " 오늘은 맑고 따뜻해요."),
            new Example("배고파", " 맛있는 거 드세요."),
            new Example("잘 자", " 좋은 꿈 꾸세요. 내일 아침에는 더 긴 대답으로 잘라야 할 만큼 많은 토큰을 씁니다."));

    @TempDir
    Path tmp;

    private TokenizerServer server;
    private ManagedChannel channel;

    @AfterEach
    void close() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private ResolvedTokenizer tokenizer() throws Exception {
        ModelLocator locator = new ModelLocator(
                REPO.resolve("models"), HfEnvironment.fromSystem().withOffline(true));
        Checkpoint base = Checkpoint.read(BASE);
        return new TokenizerResolver(locator).resolve("", "kotune/tiny-ko", BASE, base.config(), base.metadata());
    }

    private GrpcExampleSource source(int port, Duration maxWait) {
        channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        return new GrpcExampleSource(
                TokenizerServiceGrpc.newBlockingStub(channel),
                "127.0.0.1:" + port,
                Duration.ofSeconds(20),
                maxWait,
                Duration.ofMillis(100),
                Duration.ofMillis(400));
    }

    private record Recorder(List<String> statuses) implements ExampleSource.Job {
        Recorder() {
            this(new CopyOnWriteArrayList<>());
        }

        @Override
        public void waiting(String status) {
            statuses.add(status);
        }

        @Override
        public boolean cancelRequested() {
            return false;
        }
    }

    private static void assertSameRows(ExampleSource.Prepared a, ExampleSource.Prepared b) {
        assertThat(a.encoded().rows()).hasSameSizeAs(b.encoded().rows());
        for (int i = 0; i < a.encoded().rows().size(); i++) {
            TrainingExample x = a.encoded().rows().get(i);
            TrainingExample y = b.encoded().rows().get(i);
            assertThat(x.inputIds()).as("input_ids of example %d", i).containsExactly(y.inputIds());
            assertThat(x.attentionMask()).as("attention_mask of example %d", i).containsExactly(y.attentionMask());
            assertThat(x.labels()).as("labels of example %d", i).containsExactly(y.labels());
        }
        assertThat(a.encoded().truncated()).isEqualTo(b.encoded().truncated());
        assertThat(a.sha256()).isEqualTo(b.sha256());
    }

    @Test
    void preparesTheSameIdsMasksAndLabelsAsTheInProcessPath() throws Exception {
        server = new TokenizerServer(TokenizerServer.freePort(), BASE.resolve("tokenizer.json")).start();
        GrpcExampleSource grpc = source(server.port(), Duration.ofSeconds(5));
        try (ResolvedTokenizer tok = tokenizer()) {
            for (PromptFormat format : List.of(
                    new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 64, false),
                    new PromptFormat("Q: {prompt}\nA:{completion}", false, 12, true))) {
                ExampleSource.Prepared remote = grpc.prepare(tok, EXAMPLES, format, new Recorder());
                ExampleSource.Prepared local =
                        new InProcessExampleSource().prepare(tok, EXAMPLES, format, new Recorder());
                assertSameRows(remote, local);
                assertThat(remote.via()).isEqualTo("tokenizer-service at 127.0.0.1:" + server.port());
                assertThat(remote.encoded().rows().get(0).inputIds()).hasSize(format.maxLength());
            }
            assertThat(server.calls("GetTokenizerInfo")).isEqualTo(2);
            assertThat(server.calls("PrepareExamples")).isEqualTo(2);
        }
    }

    @Test
    void rejectsTheJobWhenTheServiceHasAnotherTokenizer() throws Exception {
        // The same tokenizer in other bytes: another sha256. The service cannot see the job's path, so its default
        // tokenizer decides, and it is not the model's.
        Path other = tmp.resolve("tokenizer.json");
        Files.writeString(other, Files.readString(BASE.resolve("tokenizer.json")) + "\n");
        server = new TokenizerServer(TokenizerServer.freePort(), other).start();
        GrpcExampleSource grpc = source(server.port(), Duration.ofSeconds(5));
        try (ResolvedTokenizer tok = tokenizer()) {
            ResolvedTokenizer elsewhere = new ResolvedTokenizer(
                    tok.tokenizer(), tok.name(), Path.of("/nonexistent/kotune/tokenizer.json"), tok.files());
            assertThatThrownBy(() -> grpc.prepare(
                            elsewhere,
                            EXAMPLES,
                            new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 64, false),
                            new Recorder()))
                    .isInstanceOfSatisfying(JobRejection.class, r -> {
                        assertThat(r.errors()).hasSize(1);
                        assertThat(r.errors().get(0).field()).isEqualTo("spec.tokenizer");
                        assertThat(r.errors().get(0).message())
                                .contains(
                                        tok.sha256(),
                                        other.toString(),
                                        "kotune.tokenizer.default-tokenizer=",
                                        "kotune.trainer.tokenizer=in-process",
                                        "127.0.0.1:" + server.port());
                    });
            assertThat(server.calls("PrepareExamples")).isZero();
        }
    }

    @Test
    void waitsForAServiceThatIsDownAndGoesOnOnceItListens() throws Exception {
        int port = TokenizerServer.freePort();
        server = new TokenizerServer(port, BASE.resolve("tokenizer.json"));
        GrpcExampleSource grpc = source(port, Duration.ofSeconds(60));
        Recorder job = new Recorder();
        Thread starter = new Thread(() -> {
            try {
                while (job.statuses().size() < 2) {
                    Thread.sleep(20);
                }
                server.start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        starter.start();
        try (ResolvedTokenizer tok = tokenizer()) {
            ExampleSource.Prepared prepared =
                    grpc.prepare(tok, EXAMPLES, new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 64, false), job);
            assertThat(prepared.encoded().rows()).hasSize(EXAMPLES.size());
        }
        starter.join();
        assertThat(job.statuses())
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(s -> assertThat(s)
                        .startsWith("waiting for tokenizer-service at 127.0.0.1:" + port)
                        .contains("UNAVAILABLE"));
        assertThat(server.calls("PrepareExamples")).isEqualTo(1);
    }

    @Test
    void failsRetryablyNamingTheAddressAfterMaxWait() throws Exception {
        int port = TokenizerServer.freePort();
        GrpcExampleSource grpc = source(port, Duration.ofMillis(800));
        Recorder job = new Recorder();
        try (ResolvedTokenizer tok = tokenizer()) {
            assertThatThrownBy(() -> grpc.prepare(
                            tok, EXAMPLES, new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 64, false), job))
                    .isInstanceOfSatisfying(JobFailure.class, f -> {
                        assertThat(f.type()).isEqualTo(ErrorType.TOKENIZER);
                        assertThat(f.retryable()).isTrue();
                        assertThat(f.getMessage())
                                .contains(
                                        "tokenizer-service at 127.0.0.1:" + port,
                                        "PT0.8S",
                                        "kotune.trainer.tokenizer=in-process");
                    });
        }
        assertThat(job.statuses()).isNotEmpty();
    }
}
