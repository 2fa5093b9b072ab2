package dev.kotune.tokenizer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.proto.tokenizer.v1.EncodeResponse;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.testing.SharedData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What ships: the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, started by Quarkus in its own JVM with the
 * prod profile) encodes Korean text over its real gRPC port, answers readiness, and counts the tokens in its Prometheus metrics.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedJarResource.class)
class TokenizerServiceIT {

    @Test
    void encodesKoreanOverGrpcAndShowsItInHealthAndMetrics() throws InterruptedException {
        SharedData.require("kogpt2/tokenizer.json");
        int port = Integer.parseInt(System.getProperty(PackagedJarResource.GRPC_PORT));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        try {
            EncodeResponse response = TokenizerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .encode(EncodeRequest.newBuilder()
                            .setText(TokenizerGrpcServiceTest.CANONICAL)
                            .build());
            assertThat(response.getEncoding().getIdsList())
                    .containsExactlyElementsOf(TokenizerGrpcServiceTest.CANONICAL_IDS);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("kotune_tokenizer_tokens_total"));
    }
}
