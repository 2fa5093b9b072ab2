package dev.kotune.tokenizer;

import dev.kotune.proto.tokenizer.v1.BatchEncodeRequest;
import dev.kotune.proto.tokenizer.v1.BatchEncodeResponse;
import dev.kotune.proto.tokenizer.v1.CountTokensRequest;
import dev.kotune.proto.tokenizer.v1.CountTokensResponse;
import dev.kotune.proto.tokenizer.v1.DecodeRequest;
import dev.kotune.proto.tokenizer.v1.DecodeResponse;
import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.proto.tokenizer.v1.EncodeResponse;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesRequest;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesResponse;
import dev.kotune.proto.tokenizer.v1.TokenIds;
import dev.kotune.proto.tokenizer.v1.TokenizerRef;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.tokenization.EncodeOptions;
import dev.kotune.tokenization.ExamplePreparer;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenEncoding;
import dev.kotune.tokenization.TokenizerRegistry;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * gRPC {@code kotune.tokenizer.v1.TokenizerService} over the tokenization library. Every method is CPU work and runs
 * on a worker thread ({@link Blocking}); batch calls are parallel inside the native tokenizer.
 *
 * <p>Thread-safe: a singleton shared by all requests; it holds only thread-safe collaborators.
 */
@GrpcService
public class TokenizerGrpcService extends TokenizerServiceGrpc.TokenizerServiceImplBase {

    private final TokenizerRegistry registry;
    private final TextLimits limits;
    private final Counter tokensEncoded;

    @Inject
    public TokenizerGrpcService(TokenizerRegistry registry, TextLimits limits, MeterRegistry meters) {
        this.registry = registry;
        this.limits = limits;
        this.tokensEncoded = Counter.builder("kotune.tokenizer.tokens")
                .description("Tokens produced by Encode, BatchEncode, CountTokens and PrepareExamples")
                .register(meters);
    }

    @Override
    @Blocking
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> out) {
        respond(out, () -> {
            limits.requireText("text", request.getText());
            KoTokenizer tok = tokenizer(request.getTokenizer());
            TokenEncoding enc = tok.encode(
                    request.getText(),
                    new EncodeOptions(
                            request.getAddSpecialTokens(), request.getIncludeTokens(), request.getIncludeOffsets()));
            tokensEncoded.increment(enc.ids().length);
            return EncodeResponse.newBuilder()
                    .setEncoding(ProtoMapper.encoding(enc))
                    .build();
        });
    }

    @Override
    @Blocking
    public void batchEncode(BatchEncodeRequest request, StreamObserver<BatchEncodeResponse> out) {
        respond(out, () -> {
            List<String> texts = requireTexts(request.getTextsList());
            KoTokenizer tok = tokenizer(request.getTokenizer());
            BatchEncodeResponse.Builder b = BatchEncodeResponse.newBuilder();
            long count = 0;
            if (!request.getIncludeTokens() && !request.getIncludeOffsets()) {
                for (int[] ids : tok.encodeIds(texts, request.getAddSpecialTokens())) {
                    b.addEncodings(ProtoMapper.encoding(ids));
                    count += ids.length;
                }
            } else {
                EncodeOptions options = new EncodeOptions(
                        request.getAddSpecialTokens(), request.getIncludeTokens(), request.getIncludeOffsets());
                for (TokenEncoding enc : tok.encodeBatch(texts, options)) {
                    b.addEncodings(ProtoMapper.encoding(enc));
                    count += enc.ids().length;
                }
            }
            tokensEncoded.increment(count);
            return b.build();
        });
    }

    @Override
    @Blocking
    public void decode(DecodeRequest request, StreamObserver<DecodeResponse> out) {
        respond(out, () -> {
            limits.requireBatch("sequences", request.getSequencesCount());
            KoTokenizer tok = tokenizer(request.getTokenizer());
            List<int[]> sequences = new ArrayList<>(request.getSequencesCount());
            for (TokenIds seq : request.getSequencesList()) {
                sequences.add(ProtoMapper.ids(seq.getIdsList()));
            }
            return DecodeResponse.newBuilder()
                    .addAllTexts(tok.decodeBatch(sequences, request.getSkipSpecialTokens()))
                    .build();
        });
    }

    @Override
    @Blocking
    public void countTokens(CountTokensRequest request, StreamObserver<CountTokensResponse> out) {
        respond(out, () -> {
            List<String> texts = requireTexts(request.getTextsList());
            KoTokenizer tok = tokenizer(request.getTokenizer());
            CountTokensResponse.Builder b = CountTokensResponse.newBuilder();
            long total = 0;
            for (int count : tok.countTokens(texts, request.getAddSpecialTokens())) {
                b.addCounts(count);
                total += count;
            }
            tokensEncoded.increment(total);
            return b.setTotal(total).build();
        });
    }

    @Override
    @Blocking
    public void getTokenizerInfo(GetTokenizerInfoRequest request, StreamObserver<GetTokenizerInfoResponse> out) {
        respond(out, () -> ProtoMapper.info(tokenizer(request.getTokenizer()).info()));
    }

    @Override
    @Blocking
    public void prepareExamples(PrepareExamplesRequest request, StreamObserver<PrepareExamplesResponse> out) {
        respond(out, () -> {
            limits.requireBatch("examples", request.getExamplesCount());
            var options = ProtoMapper.options(request);
            KoTokenizer tok = tokenizer(request.getTokenizer());
            var batch = new ExamplePreparer(tok, limits).prepare(ProtoMapper.examples(request), options);
            tokensEncoded.increment(
                    batch.examples().stream().mapToInt(e -> e.length()).sum());
            return ProtoMapper.prepared(batch);
        });
    }

    private KoTokenizer tokenizer(TokenizerRef ref) {
        return registry.get(ref.getName(), ref.getRevision());
    }

    private List<String> requireTexts(List<String> texts) {
        limits.requireBatch("texts", texts.size());
        for (int i = 0; i < texts.size(); i++) {
            limits.requireText("texts[" + i + "]", texts.get(i));
        }
        return texts;
    }

    private static <T> void respond(StreamObserver<T> out, Supplier<T> body) {
        T response;
        try {
            response = body.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }
}
