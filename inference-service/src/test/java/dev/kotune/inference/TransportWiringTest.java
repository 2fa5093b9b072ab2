package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kotune.proto.inference.v1.FinishReason;
import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerateResponse;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How generation output travels once a generator answers, checked with {@link ScriptedTextGenerator} (a test
 * double that emits three fixed pieces): gRPC unary and streaming messages, the REST JSON body and the SSE frames.
 * What the real engine generates is tested with the engine (issue 5).
 */
@QuarkusTest
@TestProfile(ScriptedGeneratorProfile.class)
@QuarkusTestResource(ModelsDirResource.class)
class TransportWiringTest {

    @GrpcClient("inference")
    Channel channel;

    @BeforeEach
    void addModel() {
        TestModels.create("chatbot", "job-7", 60);
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void grpcGenerateReturnsTheWholeCompletion() {
        GenerateResponse r = stub().generate(GenerateRequest.newBuilder().setText("질문: 안녕?\n답변:")
                .setParameters(GenerationParameters.newBuilder().setLogprobs(1)).build());
        assertThat(r.getModel()).isEqualTo("chatbot");
        assertThat(r.getText()).isEqualTo(" 안녕하세요!");
        assertThat(r.getTokenIdsList()).containsExactlyElementsOf(ScriptedTextGenerator.IDS);
        assertThat(r.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(r.getUsage().getCompletionTokens()).isEqualTo(3);
        assertThat(r.getLogprobsList()).hasSize(3);
        assertThat(r.getLogprobs(1).getLogprob()).isEqualTo(-1.0f);
    }

    @Test
    void grpcStreamSendsEachDeltaThenOneFinalMessage() {
        List<StreamGenerateResponse> messages = new ArrayList<>();
        stub().streamGenerate(StreamGenerateRequest.newBuilder().setText("안녕").build())
                .forEachRemaining(messages::add);
        assertThat(messages).hasSize(4);
        assertThat(messages.subList(0, 3)).extracting(StreamGenerateResponse::getTextDelta)
                .containsExactlyElementsOf(ScriptedTextGenerator.PIECES);
        assertThat(messages.subList(0, 3)).extracting(StreamGenerateResponse::getFinishReason)
                .containsOnly(FinishReason.FINISH_REASON_UNSPECIFIED);
        StreamGenerateResponse last = messages.get(3);
        assertThat(last.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(last.getUsage().getCompletionTokens()).isEqualTo(3);
        assertThat(last.getTextDelta()).isEmpty();
    }

    @Test
    void restAnswersInOpenAisCompletionShape() {
        given().contentType(ContentType.JSON).body("{\"prompt\": \"안녕\", \"max_tokens\": 3}")
                .post("/v1/completions").then().statusCode(200)
                .body("object", equalTo("text_completion"))
                .body("model", equalTo("chatbot"))
                .body("choices[0].text", equalTo(" 안녕하세요!"))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.prompt_tokens", equalTo(4))
                .body("usage.completion_tokens", equalTo(3))
                .body("usage.total_tokens", equalTo(7));
    }

    @Test
    void restStreamsServerSentEventsEndingWithDone() {
        var response = given().contentType(ContentType.JSON).body("{\"prompt\": \"안녕\", \"stream\": true}")
                .post("/v1/completions").then().statusCode(200).extract();
        assertThat(response.contentType()).startsWith("text/event-stream");
        String[] frames = response.asString().split("\n\n");
        assertThat(frames).hasSize(5);
        for (int i = 0; i < 3; i++) {
            assertThat(frames[i]).startsWith("data: {").contains("\"text\":\"" + ScriptedTextGenerator.PIECES.get(i)
                    + "\"", "\"finish_reason\":null");
        }
        assertThat(frames[3]).contains("\"finish_reason\":\"length\"", "\"total_tokens\":7");
        assertThat(frames[4]).isEqualTo("data: [DONE]");
    }
}
