package dev.kotune.inference.grpc;

import dev.kotune.generation.proto.GenerationParametersMapping;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.RequestMetrics;
import dev.kotune.inference.TextGenerator;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.models.ModelCatalog;
import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerateResponse;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import dev.kotune.proto.inference.v1.ListModelsResponse;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import org.jboss.logging.Logger;

/**
 * gRPC {@code kotune.inference.v1.InferenceService}: ListModels from the catalog (models directory and exports from
 * training events); Generate and StreamGenerate validate (INVALID_ARGUMENT naming the field and range), resolve the
 * model (NOT_FOUND), load it and take a slot (UNAVAILABLE, FAILED_PRECONDITION for a broken export,
 * RESOURCE_EXHAUSTED when its queue is full), then generate. A call the client cancels (its gRPC {@link Context} is
 * cancelled) stops at the next token. Methods run on worker threads ({@code @Blocking}). Thread-safe.
 */
@GrpcService
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {

    private static final Logger LOG = Logger.getLogger(InferenceGrpcService.class);
    private static final String API = "grpc";

    private final CompletionService completions;
    private final ModelCatalog catalog;
    private final TextGenerator generator;
    private final RequestMetrics metrics;

    public InferenceGrpcService(
            CompletionService completions, ModelCatalog catalog, TextGenerator generator, RequestMetrics metrics) {
        this.completions = completions;
        this.catalog = catalog;
        this.generator = generator;
        this.metrics = metrics;
    }

    @Override
    @Blocking
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        ListModelsResponse.Builder response = ListModelsResponse.newBuilder();
        catalog.list().forEach(m -> response.addModels(GrpcMapping.model(m, generator.loadedAt(m.id()))));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    @Blocking
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
        GenerationListener cancellation = cancellation(out);
        try {
            var prepared = completions.prepare(
                    request.getModel(),
                    GrpcMapping.prompt(request.hasText(), request.getText(), request.hasIds(), request.getIds()),
                    GenerationParametersMapping.toBuilder(request.getParameters()),
                    GrpcMapping.names(request.hasIds()),
                    cancellation::isCancelled);
            Completion completion = completions.generate(prepared, cancellation);
            metrics.completed(API, completion);
            out.onNext(GrpcMapping.response(completion));
            out.onCompleted();
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    @Override
    @Blocking
    public void streamGenerate(StreamGenerateRequest request, StreamObserver<StreamGenerateResponse> out) {
        GenerationListener cancellation = cancellation(out);
        try {
            var prepared = completions.prepare(
                    request.getModel(),
                    GrpcMapping.prompt(request.hasText(), request.getText(), request.hasIds(), request.getIds()),
                    GenerationParametersMapping.toBuilder(request.getParameters()),
                    GrpcMapping.names(request.hasIds()),
                    cancellation::isCancelled);
            Completion completion = completions.generate(prepared, new GenerationListener() {
                @Override
                public void onChunk(CompletionChunk chunk) {
                    if (cancellation.isCancelled()) {
                        return;
                    }
                    try {
                        out.onNext(GrpcMapping.delta(chunk));
                    } catch (StatusRuntimeException cancelledMeanwhile) {
                        // the call ended between the check and the send; the next step sees the cancellation
                    }
                }

                @Override
                public boolean isCancelled() {
                    return cancellation.isCancelled();
                }
            });
            metrics.completed(API, completion);
            if (cancellation.isCancelled() || completion.cancelled()) {
                out.onError(io.grpc.Status.CANCELLED
                        .withDescription("cancelled by the client")
                        .asRuntimeException());
            } else {
                out.onNext(GrpcMapping.last(completion));
                out.onCompleted();
            }
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    /** Cancelled when the call's gRPC context is (client cancel, deadline, disconnect). */
    private static GenerationListener cancellation(StreamObserver<?> out) {
        Context context = Context.current();
        ServerCallStreamObserver<?> call = out instanceof ServerCallStreamObserver<?> c ? c : null;
        return new GenerationListener() {
            @Override
            public void onChunk(CompletionChunk chunk) {}

            @Override
            public boolean isCancelled() {
                return context.isCancelled() || (call != null && call.isCancelled());
            }
        };
    }

    private void fail(StreamObserver<?> out, RuntimeException e) {
        metrics.failed(API, e);
        var status = GrpcMapping.status(e);
        if (status.getStatus().getCode() == io.grpc.Status.Code.INTERNAL) {
            LOG.error("generation failed", e);
        }
        out.onError(status);
    }
}
