package dev.kotune.tokenizer;

import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** Placeholder until issue 3: answers UNIMPLEMENTED. */
@GrpcService
public class TokenizerGrpcService extends TokenizerServiceGrpc.TokenizerServiceImplBase {
  @Override
  @Blocking
  public void getTokenizerInfo(GetTokenizerInfoRequest request, StreamObserver<GetTokenizerInfoResponse> out) {
    out.onError(Status.UNIMPLEMENTED.withDescription("tokenizer lands with issue 3").asRuntimeException());
  }
}
