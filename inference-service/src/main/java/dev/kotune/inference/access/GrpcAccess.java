package dev.kotune.inference.access;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gRPC edge's gate: with keys on ({@link ApiKeys}) every call but the standard health service
 * ({@code grpc.health.v1.Health}) needs metadata {@code authorization: Bearer <key>}; a missing or wrong key ends the
 * call with UNAUTHENTICATED before the request is read. (There is no gRPC admin method: model load and swap are
 * REST's {@code /v1/admin/*}.) Stateless, thread-safe.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcAccess implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ApiKeys keys;

    public GrpcAccess(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!keys.required() || call.getMethodDescriptor().getServiceName().equals("grpc.health.v1.Health")) {
            return next.startCall(call, headers);
        }
        if (keys.access(headers.get(AUTHORIZATION)) == ApiKeys.Access.NONE) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription(
                            "missing or wrong API key: send metadata authorization: Bearer <key> with a key of"
                                    + " kotune.inference.api-keys-file"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
