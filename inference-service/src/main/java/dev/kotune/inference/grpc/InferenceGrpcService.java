package dev.kotune.inference.grpc;

import dev.kotune.inference.CompletionService;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.RequestMetrics;
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
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import org.jboss.logging.Logger;

/**
 * gRPC {@code kotune.inference.v1.InferenceService}: ListModels from the models directory; Generate and
 * StreamGenerate validate (INVALID_ARGUMENT naming the field and range), resolve the model (NOT_FOUND), and hand
 * over to the {@link dev.kotune.inference.TextGenerator} (UNAVAILABLE while none is loaded). Methods run on worker
 * threads ({@code @Blocking}). Thread-safe.
 */
@GrpcService
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {

    private static final Logger LOG = Logger.getLogger(InferenceGrpcService.class);
    private static final String API = "grpc";

    private final CompletionService completions;
    private final ModelCatalog catalog;
    private final RequestMetrics metrics;

    public InferenceGrpcService(CompletionService completions, ModelCatalog catalog, RequestMetrics metrics) {
        this.completions = completions;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    @Override
    @Blocking
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        ListModelsResponse.Builder response = ListModelsResponse.newBuilder();
        catalog.list().forEach(m -> response.addModels(GrpcMapping.model(m)));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    @Blocking
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
        try {
            var prepared = completions.prepare(request.getModel(),
                    GrpcMapping.prompt(request.hasText(), request.getText(), request.hasIds(), request.getIds()),
                    GrpcMapping.parameters(request.getParameters()), GrpcMapping.NAMES);
            Completion completion = completions.generate(prepared, cancellation(out));
            metrics.ok(API);
            out.onNext(GrpcMapping.response(completion));
            out.onCompleted();
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    @Override
    @Blocking
    public void streamGenerate(StreamGenerateRequest request, StreamObserver<StreamGenerateResponse> out) {
        try {
            var prepared = completions.prepare(request.getModel(),
                    GrpcMapping.prompt(request.hasText(), request.getText(), request.hasIds(), request.getIds()),
                    GrpcMapping.parameters(request.getParameters()), GrpcMapping.NAMES);
            GenerationListener cancellation = cancellation(out);
            Completion completion = completions.generate(prepared, new GenerationListener() {
                @Override
                public void onChunk(CompletionChunk chunk) {
                    out.onNext(GrpcMapping.delta(chunk));
                }

                @Override
                public boolean isCancelled() {
                    return cancellation.isCancelled();
                }
            });
            metrics.ok(API);
            out.onNext(GrpcMapping.last(completion));
            out.onCompleted();
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    private static GenerationListener cancellation(StreamObserver<?> out) {
        if (!(out instanceof ServerCallStreamObserver<?> call)) {
            return GenerationListener.NONE;
        }
        return new GenerationListener() {
            @Override
            public void onChunk(CompletionChunk chunk) {
            }

            @Override
            public boolean isCancelled() {
                return call.isCancelled();
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
