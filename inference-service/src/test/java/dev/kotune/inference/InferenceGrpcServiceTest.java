package dev.kotune.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import dev.kotune.proto.inference.v1.Model;
import dev.kotune.proto.inference.v1.PromptIds;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gRPC API over a real gRPC server. The server listens on a free port in tests
 * ({@code quarkus.grpc.server.test-port=0}); Quarkus injects {@code @GrpcClient} channels pointed at the bound port.
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class InferenceGrpcServiceTest {

    @GrpcClient("inference")
    Channel channel;

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void reflectionListsTheInferenceServiceAsGrpcurlDoes() throws Exception {
        CompletableFuture<ServerReflectionResponse> response = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        response.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        response.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(
                ServerReflectionRequest.newBuilder().setListServices("*").build());
        List<String> services = response.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();
        requests.onCompleted();
        assertThat(services).contains("kotune.inference.v1.InferenceService");
    }

    @Test
    void reflectionAlsoAnswersTheOlderV1alphaProtocol() throws Exception {
        CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> response = new CompletableFuture<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
                io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
                        .serverReflectionInfo(new StreamObserver<>() {
                            @Override
                            public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse value) {
                                response.complete(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                response.completeExceptionally(t);
                            }

                            @Override
                            public void onCompleted() {}
                        });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
                .setListServices("*")
                .build());
        List<String> services = response.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(io.grpc.reflection.v1alpha.ServiceResponse::getName)
                .toList();
        requests.onCompleted();
        assertThat(services).contains("kotune.inference.v1.InferenceService");
    }

    @Test
    void listsNoModelsWhenTheDirectoryIsEmpty() {
        assertThat(stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsList())
                .isEmpty();
    }

    @Test
    void listsTheModelDirectoriesThatHoldKotuneJsonDefaultFirst() throws Exception {
        TestModels.create("job-b", "job-b", 60);
        TestModels.create("job-a", "job-a", 20);
        Files.createDirectories(TestModels.modelsDir().resolve("not-a-model"));
        Files.writeString(
                Files.createDirectories(TestModels.modelsDir().resolve("broken"))
                        .resolve("kotune.json"),
                "{ not json");

        List<Model> models =
                stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsList();

        assertThat(models).extracting(Model::getId).containsExactly("job-a", "job-b");
        Model first = models.get(0);
        assertThat(first.getIsDefault()).isTrue();
        assertThat(models.get(1).getIsDefault()).isFalse();
        assertThat(first.getJobId()).isEqualTo("job-a");
        assertThat(first.getStep()).isEqualTo(20);
        assertThat(first.getSource()).isEqualTo("skt/kogpt2-base-v2");
        assertThat(first.getTokenizerSha256()).isEqualTo("e0fa8faf");
        assertThat(first.getContextLength()).isEqualTo(1024);
        assertThat(first.getGraphFlavor()).isEqualTo("optimized");
        assertThat(first.getLoaded()).as("never requested: not in memory").isFalse();
        assertThat(first.hasLoadedAt()).isFalse();
    }

    static List<Arguments> invalidParameters() {
        UnaryOperator<GenerationParameters.Builder> stop9 = p -> {
            for (int i = 0; i < 9; i++) {
                p.addStop("s" + i);
            }
            return p;
        };
        return List.of(
                Arguments.of("parameters.temperature", "(0, 100] when do_sample is true", (UnaryOperator<
                                GenerationParameters.Builder>)
                        p -> p.setDoSample(true).setTemperature(0)),
                Arguments.of("parameters.temperature", "[0, 100]", op(p -> p.setTemperature(100.5f))),
                Arguments.of("parameters.top_p", "(0, 1]", op(p -> p.setTopP(0))),
                Arguments.of("parameters.top_p", "(0, 1]", op(p -> p.setTopP(1.5f))),
                Arguments.of("parameters.top_k", "[0, vocab_size]", op(p -> p.setTopK(-1))),
                Arguments.of("parameters.repetition_penalty", "(0, 10]", op(p -> p.setRepetitionPenalty(0))),
                Arguments.of("parameters.repetition_penalty", "(0, 10]", op(p -> p.setRepetitionPenalty(10.5f))),
                Arguments.of("parameters.no_repeat_ngram_size", "[0, 16]", op(p -> p.setNoRepeatNgramSize(17))),
                Arguments.of("parameters.no_repeat_ngram_size", "[0, 16]", op(p -> p.setNoRepeatNgramSize(-1))),
                Arguments.of(
                        "parameters.max_new_tokens",
                        "[1, context_length - prompt_length]",
                        op(p -> p.setMaxNewTokens(0))),
                Arguments.of(
                        "parameters.min_new_tokens",
                        "[0, max_new_tokens",
                        op(p -> p.setMaxNewTokens(4).setMinNewTokens(5))),
                Arguments.of("parameters.stop", "at most 8", op(stop9)),
                Arguments.of("parameters.stop[0]", "1 to 256", op(p -> p.addStop(""))),
                Arguments.of(
                        "parameters.stop[1]",
                        "1 to 256",
                        op(p -> p.addStop("ok").addStop("x".repeat(257)))),
                Arguments.of("parameters.logprobs", "[0, 20]", op(p -> p.setLogprobs(21))),
                Arguments.of("parameters.logprobs", "[0, 20]", op(p -> p.setLogprobs(-1))));
    }

    private static UnaryOperator<GenerationParameters.Builder> op(UnaryOperator<GenerationParameters.Builder> f) {
        return f;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidParameters")
    void rejectsAnOutOfRangeParameterNamingTheFieldAndRange(
            String field, String range, UnaryOperator<GenerationParameters.Builder> parameters) {
        GenerationParameters p =
                parameters.apply(GenerationParameters.newBuilder()).build();

        StatusRuntimeException unary = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().generate(GenerateRequest.newBuilder()
                        .setText("질문: 안녕?\n답변:")
                        .setParameters(p)
                        .build()));
        assertThat(unary.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(unary.getStatus().getDescription()).startsWith(field + ": ").contains(range);

        StatusRuntimeException streaming = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().streamGenerate(StreamGenerateRequest.newBuilder()
                                .setText("질문: 안녕?\n답변:")
                                .setParameters(p)
                                .build())
                        .hasNext());
        assertThat(streaming.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(streaming.getStatus().getDescription())
                .startsWith(field + ": ")
                .contains(range);
    }

    @Test
    void promptLogprobsScoreEveryPromptTokenAndZeroNewTokensScoresOnly() {
        TestExports.install("tiny", TestExports.tiny());
        var response = stub().generate(GenerateRequest.newBuilder()
                .setText("질문: 안녕하세요?\n답변:")
                .setParameters(
                        GenerationParameters.newBuilder().setPromptLogprobs(2).setMaxNewTokens(0))
                .build());
        int prompt = response.getUsage().getPromptTokens();
        assertThat(response.getTokenIdsList()).isEmpty();
        assertThat(response.getPromptLogprobsList()).hasSize(prompt);
        assertThat(response.getPromptLogprobs(0).getLogprob()).isNaN();
        assertThat(response.getPromptLogprobs(1).getLogprob()).isNegative();
        assertThat(response.getPromptLogprobs(1).getTopList()).hasSize(2);
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setText("hi")
                        .setParameters(GenerationParameters.newBuilder().setPromptLogprobs(21))
                        .build()))
                .isEqualTo("parameters.prompt_logprobs: must be in [0, 20], got 21");
    }

    @Test
    void requiresANonBlankPrompt() {
        assertThat(invalid(GenerateRequest.newBuilder().build())).startsWith("text: is required");
        assertThat(invalid(GenerateRequest.newBuilder().setText("  \n").build()))
                .isEqualTo("text: must not be blank");
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setIds(PromptIds.getDefaultInstance())
                        .build()))
                .startsWith("ids.ids: must hold 1 or more");
        TestModels.create("kogpt2", "", 0); // ids are checked against the model's vocabulary
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setIds(PromptIds.newBuilder().addIds(5).addIds(-2))
                        .build()))
                .isEqualTo("ids.ids[1]: must be a token id in [0, 51200), got -2");
    }

    @Test
    void reportsEveryProblemInOneStatus() {
        String description = invalid(GenerateRequest.newBuilder()
                .setText(" ")
                .setParameters(GenerationParameters.newBuilder().setTopP(2).setLogprobs(99))
                .build());
        assertThat(description)
                .isEqualTo("text: must not be blank; parameters.top_p: must be in (0, 1], got 2.0; "
                        + "parameters.logprobs: must be in [0, 20], got 99");
    }

    @Test
    void checksTopKAndPromptIdsAgainstTheModelsVocabulary() {
        TestModels.create("kogpt2", "", 0);
        PromptIds oneId = PromptIds.newBuilder().addIds(5).build();
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setModel("kogpt2")
                        .setIds(oneId)
                        .setParameters(GenerationParameters.newBuilder().setTopK(51201))
                        .build()))
                .isEqualTo("parameters.top_k: must be in [0, 51200] (the model's vocab_size), got 51201");
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setIds(PromptIds.newBuilder().addIds(51200))
                        .build()))
                .isEqualTo("ids.ids[0]: must be a token id in [0, 51200), got 51200");
        assertThat(invalid(GenerateRequest.newBuilder()
                        .setIds(oneId)
                        .setParameters(GenerationParameters.newBuilder().setMaxLength(1025))
                        .build()))
                .isEqualTo("parameters.max_length: must be in [2, 1024] (prompt 1 tokens + 1, context 1024), got 1025");
    }

    @Test
    void answersNotFoundForAnUnknownModel() {
        TestModels.create("kogpt2", "", 0);
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().generate(GenerateRequest.newBuilder()
                        .setModel("nope")
                        .setText("안녕")
                        .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).isEqualTo("model \"nope\" not found; available: [kogpt2]");
    }

    @Test
    void answersUnavailableWhenThereIsNoModelAtAll() {
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().generate(GenerateRequest.newBuilder().setText("안녕").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).startsWith("no model loaded: no model in ");
    }

    @Test
    void answersFailedPreconditionForAModelDirectoryWithoutAnOnnxGraph() {
        TestModels.create("kogpt2", "", 0);
        StatusRuntimeException unary = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().generate(GenerateRequest.newBuilder().setText("안녕").build()));
        assertThat(unary.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(unary.getStatus().getDescription())
                .startsWith("model kogpt2: no model.onnx in ")
                .contains("./kotune export --checkpoint skt/kogpt2-base-v2 --out ");
        StatusRuntimeException streaming = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().streamGenerate(StreamGenerateRequest.newBuilder()
                                .setModel("kogpt2")
                                .setText("안녕")
                                .build())
                        .hasNext());
        assertThat(streaming.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    private String invalid(GenerateRequest request) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub().generate(request));
        assertThat(e).as("expected INVALID_ARGUMENT").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        return e.getStatus().getDescription();
    }
}
