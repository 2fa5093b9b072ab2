package dev.kotune.tokenizer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.testing.SharedData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What operators and tools see: gRPC server reflection, readiness with the default tokenizer, metrics. */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class ServiceSurfaceTest {

    @AfterAll
    static void disconnect() throws InterruptedException {
        TokenizerGrpcServiceTest.disconnect();
    }

    @Test
    void serverReflectionListsTheTokenizerService() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        try {
            CompletableFuture<List<String>> services = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            List<String> names = new ArrayList<>();
                            for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
                                names.add(s.getName());
                            }
                            services.complete(names);
                        }

                        @Override
                        public void onError(Throwable t) {
                            services.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
            requests.onNext(
                    ServerReflectionRequest.newBuilder().setListServices("").build());
            requests.onCompleted();

            assertThat(services.get(30, TimeUnit.SECONDS)).contains("kotune.tokenizer.v1.TokenizerService");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void readinessReportsTheDefaultTokenizer() {
        SharedData.require("kogpt2/tokenizer.json");

        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("default-tokenizer"))
                .body(
                        "checks.find { it.name == 'default-tokenizer' }.data.sha256",
                        equalTo("e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f"));
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsCountTheTokensEncoded() {
        SharedData.require("kogpt2/tokenizer.json");
        new TokenizerGrpcServiceTest().connect();
        TokenizerGrpcServiceTest.stub()
                .encode(EncodeRequest.newBuilder().setText("안녕").build());

        given().when().get("/q/metrics").then().statusCode(200).body(containsString("kotune_tokenizer_tokens_total"));
    }
}
