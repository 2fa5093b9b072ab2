package dev.kotune.inference.grpc;

import com.google.protobuf.Timestamp;
import dev.kotune.engine.FinishReason;
import dev.kotune.engine.QueueFullException;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelNotFoundException;
import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.domain.TokenLogprob;
import dev.kotune.proto.inference.v1.GenerateResponse;
import dev.kotune.proto.inference.v1.Model;
import dev.kotune.proto.inference.v1.PromptIds;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import dev.kotune.proto.inference.v1.TopLogprob;
import dev.kotune.proto.inference.v1.Usage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.UnaryOperator;

/** Maps kotune.inference.v1 messages to the domain and back, and domain failures to gRPC statuses. Stateless. */
final class GrpcMapping {

    /**
     * Canonical field names as a gRPC caller sees them: "parameters.top_p", and the prompt as the oneof member the
     * request set ("text", or "ids.ids" with an index: "ids.ids[3]").
     */
    static UnaryOperator<String> names(boolean idsPrompt) {
        return name -> name.equals("prompt") ? (idsPrompt ? "ids.ids" : "text") : "parameters." + name;
    }

    private GrpcMapping() {}

    /** The prompt oneof; null when neither is set. */
    static Prompt prompt(boolean hasText, String text, boolean hasIds, PromptIds ids) {
        if (hasText) {
            return Prompt.ofText(text);
        }
        if (hasIds) {
            return Prompt.ofIds(ids.getIdsList());
        }
        return null;
    }

    static Model model(ServedModel m, java.util.Optional<java.time.Instant> loadedAt) {
        Model.Builder b = Model.newBuilder()
                .setId(m.id())
                .setSource(m.source())
                .setJobId(m.jobId())
                .setStep(m.step())
                .setTokenizerSha256(m.tokenizerSha256())
                .setGraphFlavor(m.graphFlavor())
                .setContextLength(m.contextLength())
                .setIsDefault(m.isDefault())
                .setLoaded(loadedAt.isPresent());
        loadedAt.ifPresent(at -> b.setLoadedAt(timestamp(at)));
        return b.build();
    }

    static GenerateResponse response(Completion c) {
        Completion.Choice choice = c.first();
        return GenerateResponse.newBuilder()
                .setModel(c.model())
                .setText(choice.text())
                .addAllTokenIds(choice.tokenIds())
                .setFinishReason(finishReason(choice.finishReason()))
                .setUsage(usage(c.usage()))
                .addAllLogprobs(logprobs(choice.logprobs()))
                .addAllPromptLogprobs(logprobs(c.promptLogprobs()))
                .build();
    }

    static StreamGenerateResponse delta(CompletionChunk chunk) {
        return StreamGenerateResponse.newBuilder()
                .setTextDelta(chunk.textDelta())
                .addAllTokenIds(chunk.tokenIds())
                .addAllLogprobs(logprobs(chunk.logprobs()))
                .build();
    }

    static StreamGenerateResponse last(Completion c) {
        return StreamGenerateResponse.newBuilder()
                .setFinishReason(finishReason(c.first().finishReason()))
                .setUsage(usage(c.usage()))
                .addAllPromptLogprobs(logprobs(c.promptLogprobs()))
                .build();
    }

    private static dev.kotune.proto.inference.v1.FinishReason finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> dev.kotune.proto.inference.v1.FinishReason.FINISH_REASON_LENGTH;
            case EOS -> dev.kotune.proto.inference.v1.FinishReason.FINISH_REASON_EOS;
            case STOP_STRING, STOP_TOKEN -> dev.kotune.proto.inference.v1.FinishReason.FINISH_REASON_STOP;
            case CANCELLED -> dev.kotune.proto.inference.v1.FinishReason.FINISH_REASON_CANCELLED;
        };
    }

    private static Usage usage(dev.kotune.inference.domain.Usage u) {
        return Usage.newBuilder()
                .setPromptTokens(u.promptTokens())
                .setCompletionTokens(u.completionTokens())
                .setTimeToFirstTokenMs(u.timeToFirstTokenMs())
                .setTotalTimeMs(u.totalTimeMs())
                .build();
    }

    private static List<dev.kotune.proto.inference.v1.TokenLogprob> logprobs(List<TokenLogprob> logprobs) {
        return logprobs.stream()
                .map(l -> dev.kotune.proto.inference.v1.TokenLogprob.newBuilder()
                        .setId(l.id())
                        .setToken(l.token())
                        .setLogprob(l.logprob())
                        .addAllTop(l.top().stream()
                                .map(t -> TopLogprob.newBuilder()
                                        .setId(t.id())
                                        .setLogprob(t.logprob())
                                        .build())
                                .toList())
                        .build())
                .toList();
    }

    /** The gRPC status for a failure; unexpected ones are INTERNAL without internals in the description. */
    static StatusRuntimeException status(Throwable failure) {
        if (failure instanceof InvalidRequestException e) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof ModelNotFoundException e) {
            return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof ModelUnavailableException e) {
            return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof ModelInvalidException e) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof QueueFullException e) {
            return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof StatusRuntimeException e) {
            return e;
        }
        return Status.INTERNAL
                .withDescription("internal error: " + failure.getClass().getSimpleName())
                .withCause(failure)
                .asRuntimeException();
    }

    static Timestamp timestamp(java.time.Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }
}
