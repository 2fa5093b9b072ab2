package dev.kotune.trainer.run;

import dev.kotune.gpt2.TrainingExample;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.kotune.proto.tokenizer.v1.Padding;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesRequest;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesResponse;
import dev.kotune.proto.tokenizer.v1.PreparedExample;
import dev.kotune.proto.tokenizer.v1.TokenizerRef;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceBlockingStub;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.trainer.domain.PromptFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Prepares examples with tokenizer-service's {@code PrepareExamples} over gRPC ({@code kotune.tokenizer.v1}).
 * First {@code GetTokenizerInfo}: the service's tokenizer must have the sha256 of the job's (the base model's unless
 * the job names one), else the job is rejected with a hint. The request names the job's tokenizer (its hub id, or the
 * absolute path of its {@code tokenizer.json}) so the service loads the same one; when the service cannot see that
 * path ({@code NOT_FOUND}, e.g. another pod's filesystem) its default tokenizer is used, and the sha256 decides.
 *
 * <p>Every call has a deadline; {@code UNAVAILABLE} and {@code DEADLINE_EXCEEDED} are retried with exponential
 * backoff up to {@code max-wait}, and each wait is reported to the job (a status event). After {@code max-wait} the
 * job fails with a retryable {@code TOKENIZER} error naming the service's address. Proto types stay in this class:
 * the rest of the trainer sees {@link TrainingExample} rows. Thread-safe (the stub is).
 */
public final class GrpcExampleSource implements ExampleSource {

    private static final Logger LOG = Logger.getLogger(GrpcExampleSource.class);
    private static final String FIELD = "spec.tokenizer";

    private final TokenizerServiceBlockingStub stub;
    private final String address;
    private final Duration deadline;
    private final Duration maxWait;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    /**
     * @param stub    a blocking stub of tokenizer-service (Quarkus {@code @GrpcClient("tokenizer")} or a plain channel)
     * @param address host:port of that service, for messages
     */
    public GrpcExampleSource(
            TokenizerServiceBlockingStub stub,
            String address,
            Duration deadline,
            Duration maxWait,
            Duration initialBackoff,
            Duration maxBackoff) {
        this.stub = stub;
        this.address = address;
        this.deadline = deadline;
        this.maxWait = maxWait;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** The service's address, e.g. "localhost:9081". */
    public String address() {
        return address;
    }

    @Override
    public Prepared prepare(ResolvedTokenizer tokenizer, List<Example> examples, PromptFormat format, Job job)
            throws JobFailure, JobRejection, Cancelled {
        TokenizerRef ref = ref(tokenizer);
        GetTokenizerInfoResponse info;
        try {
            info = call(
                    "GetTokenizerInfo",
                    job,
                    s -> s.getTokenizerInfo(GetTokenizerInfoRequest.newBuilder()
                            .setTokenizer(ref)
                            .build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND
                    && e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
                throw refused("GetTokenizerInfo", e);
            }
            // The service cannot load the job's tokenizer by that name (another filesystem): its default decides.
            LOG.infof(
                    "tokenizer-service at %s cannot load %s (%s); checking its default tokenizer",
                    address, ref.getName(), e.getStatus().getDescription());
            info = infoOfDefault(job);
            return prepareWith(TokenizerRef.getDefaultInstance(), info, tokenizer, examples, format, job);
        }
        return prepareWith(ref, info, tokenizer, examples, format, job);
    }

    private GetTokenizerInfoResponse infoOfDefault(Job job) throws JobFailure, Cancelled {
        try {
            return call("GetTokenizerInfo", job, s -> s.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            throw refused("GetTokenizerInfo", e);
        }
    }

    private Prepared prepareWith(
            TokenizerRef ref,
            GetTokenizerInfoResponse info,
            ResolvedTokenizer tokenizer,
            List<Example> examples,
            PromptFormat format,
            Job job)
            throws JobFailure, JobRejection, Cancelled {
        requireSame(info.getTokenizerSha256(), info.getSource(), tokenizer);
        int chunk = TextLimits.DEFAULT.maxBatch();
        List<TrainingExample> rows = new ArrayList<>(examples.size());
        int truncated = 0;
        for (int from = 0; from < examples.size(); from += chunk) {
            PrepareExamplesRequest.Builder request = PrepareExamplesRequest.newBuilder()
                    .setTokenizer(ref)
                    .setTemplate(format.template())
                    .setAppendEos(format.appendEos())
                    .setMaxLength(format.maxLength())
                    .setPadding(Padding.PADDING_MAX_LENGTH)
                    .setCompletionOnly(format.completionOnly());
            for (Example e : examples.subList(from, Math.min(from + chunk, examples.size()))) {
                request.addExamples(dev.kotune.proto.tokenizer.v1.Example.newBuilder()
                        .setPrompt(e.prompt())
                        .setCompletion(e.completion()));
            }
            PrepareExamplesRequest built = request.build();
            PrepareExamplesResponse response;
            try {
                response = call("PrepareExamples", job, s -> s.prepareExamples(built));
            } catch (StatusRuntimeException e) {
                throw refused("PrepareExamples", e);
            }
            requireSame(response.getTokenizerSha256(), info.getSource(), tokenizer);
            if (response.getExamplesCount() != built.getExamplesCount()) {
                throw new JobFailure(
                        ErrorType.TOKENIZER,
                        "tokenizer-service at " + address + " answered " + response.getExamplesCount()
                                + " prepared examples for " + built.getExamplesCount(),
                        true,
                        null);
            }
            truncated += response.getTruncatedCount();
            for (PreparedExample p : response.getExamplesList()) {
                rows.add(TrainingExample.of(
                        toArray(p.getInputIdsList()), toArray(p.getAttentionMaskList()), toArray(p.getLabelsList())));
            }
        }
        return new Prepared(
                new ExampleEncoder.Encoded(rows, truncated),
                "tokenizer-service at " + address,
                info.getTokenizerSha256());
    }

    /** The job's tokenizer as the service can name it: a hub id as is, anything local as an absolute path. */
    static TokenizerRef ref(ResolvedTokenizer tokenizer) {
        String name = tokenizer.name();
        if (!name.isEmpty() && !ModelLocator.isBuiltIn(name) && !ModelLocator.isPathLike(name)) {
            return TokenizerRef.newBuilder().setName(name).build();
        }
        return TokenizerRef.newBuilder()
                .setName(tokenizer.tokenizerJson().toAbsolutePath().toString())
                .build();
    }

    private void requireSame(String serviceSha, String serviceSource, ResolvedTokenizer tokenizer) throws JobRejection {
        if (serviceSha.equalsIgnoreCase(tokenizer.sha256())) {
            return;
        }
        throw new JobRejection(
                FIELD,
                String.format(
                        Locale.ROOT,
                        "tokenizer-service at %s has the tokenizer %s "
                                + "(sha256 %s) but the job needs %s (sha256 %s; the base model's unless spec.tokenizer names "
                                + "another): token ids would not match the model. Start tokenizer-service with that tokenizer "
                                + "(kotune.tokenizer.default-tokenizer=%s) or set kotune.trainer.tokenizer=in-process on the trainer",
                        address,
                        serviceSource,
                        serviceSha,
                        tokenizer.name(),
                        tokenizer.sha256(),
                        tokenizer.tokenizerJson().toAbsolutePath()));
    }

    private JobFailure refused(String rpc, StatusRuntimeException e) {
        return new JobFailure(
                ErrorType.TOKENIZER,
                "tokenizer-service at " + address + " refused " + rpc + ": "
                        + e.getStatus().getCode() + " " + e.getStatus().getDescription(),
                false,
                e);
    }

    /**
     * One call with a deadline, retried on UNAVAILABLE / DEADLINE_EXCEEDED with exponential backoff until max-wait.
     *
     * @throws StatusRuntimeException any other status, for the caller to map
     */
    private <T> T call(String rpc, Job job, Function<TokenizerServiceBlockingStub, T> body)
            throws JobFailure, Cancelled {
        long start = System.nanoTime();
        long giveUpAt = start + maxWait.toNanos();
        Duration backoff = initialBackoff;
        for (int attempt = 1; ; attempt++) {
            try {
                return body.apply(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                long now = System.nanoTime();
                if (now + backoff.toNanos() > giveUpAt) {
                    throw new JobFailure(
                            ErrorType.TOKENIZER,
                            String.format(
                                    Locale.ROOT,
                                    "tokenizer-service at %s "
                                            + "did not answer %s within %s (%d attempts, last %s: %s); start it (or point "
                                            + "quarkus.grpc.clients.tokenizer.host/port at it) and submit the job again, or set "
                                            + "kotune.trainer.tokenizer=in-process",
                                    address,
                                    rpc,
                                    maxWait,
                                    attempt,
                                    code,
                                    e.getStatus().getDescription()),
                            true,
                            e);
                }
                String status = String.format(
                        Locale.ROOT,
                        "waiting for tokenizer-service at %s (%s %s): attempt "
                                + "%d, next in %.1f s, gives up after %s",
                        address,
                        rpc,
                        code,
                        attempt,
                        backoff.toMillis() / 1000.0,
                        maxWait);
                LOG.info(status);
                job.waiting(status);
                sleep(backoff, job);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

    private void sleep(Duration d, Job job) throws JobFailure, Cancelled {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (job.cancelRequested()) {
                    throw new Cancelled();
                }
                Thread.sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure(
                    ErrorType.TOKENIZER, "interrupted while waiting for tokenizer-service at " + address, true, e);
        }
    }

    private static int[] toArray(List<Integer> values) {
        int[] a = new int[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }
}
