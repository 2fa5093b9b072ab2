package dev.kotune.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.engine.SamplingParams;
import dev.kotune.export.GraphFlavour;
import dev.kotune.proto.inference.v1.FinishReason;
import dev.kotune.proto.inference.v1.GenerateRequest;
import dev.kotune.proto.inference.v1.GenerateResponse;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.inference.v1.InferenceServiceGrpc;
import dev.kotune.proto.inference.v1.ListModelsRequest;
import dev.kotune.proto.inference.v1.Model;
import dev.kotune.proto.inference.v1.StreamGenerateRequest;
import dev.kotune.proto.inference.v1.StreamGenerateResponse;
import dev.kotune.proto.inference.v1.TokenLogprob;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generation end to end on the real engine: the committed tiny model exported with the export library, served over
 * real gRPC and HTTP on loopback, compared token for token with the engine run in-process on the same export.
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class GenerationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("inference")
    Channel channel;

    @BeforeEach
    void installTinyModel() {
        TestExports.install("tiny", TestExports.tiny());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub stub() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private GenerateResponse generate(GenerationParameters.Builder p) {
        return stub().generate(GenerateRequest.newBuilder()
                .setModel("tiny")
                .setText(TestExports.PROMPT)
                .setParameters(p)
                .build());
    }

    private List<StreamGenerateResponse> stream(GenerationParameters.Builder p) {
        List<StreamGenerateResponse> messages = new ArrayList<>();
        stub().streamGenerate(StreamGenerateRequest.newBuilder()
                        .setModel("tiny")
                        .setText(TestExports.PROMPT)
                        .setParameters(p)
                        .build())
                .forEachRemaining(messages::add);
        return messages;
    }

    private static String json(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> list(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    @Test
    void greedyGenerateEqualsTheEnginesOwnGeneratorTokenForToken() throws Exception {
        GenerateResponse r = generate(GenerationParameters.newBuilder().setMaxNewTokens(24));
        InProcess.Output ref = InProcess.greedy(TestExports.tiny(), TestExports.PROMPT, 24);

        assertThat(r.getModel()).isEqualTo("tiny");
        assertThat(r.getTokenIdsList()).hasSize(24).containsExactlyElementsOf(list(ref.ids()));
        assertThat(r.getText()).isEqualTo(ref.text());
        assertThat(r.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(r.getUsage().getPromptTokens()).isEqualTo(ref.promptIds().length);
        assertThat(r.getUsage().getCompletionTokens()).isEqualTo(24);
        assertThat(r.getUsage().getTimeToFirstTokenMs()).isPositive();
        assertThat(r.getUsage().getTotalTimeMs())
                .isGreaterThanOrEqualTo(r.getUsage().getTimeToFirstTokenMs());
    }

    @Test
    void streamDeltasAddUpToTheUnaryTextAndTheLastMessageCarriesFinishReasonAndUsage() {
        GenerationParameters.Builder p = GenerationParameters.newBuilder().setMaxNewTokens(32);
        GenerateResponse unary = generate(p);
        List<StreamGenerateResponse> messages = stream(p);

        StreamGenerateResponse last = messages.get(messages.size() - 1);
        List<StreamGenerateResponse> deltas = messages.subList(0, messages.size() - 1);
        assertThat(deltas).hasSize(32).allSatisfy(m -> {
            assertThat(m.getTokenIdsCount()).isEqualTo(1);
            assertThat(m.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_UNSPECIFIED);
            assertThat(m.hasUsage()).isFalse();
        });
        assertThat(String.join(
                        "",
                        deltas.stream()
                                .map(StreamGenerateResponse::getTextDelta)
                                .toList()))
                .isEqualTo(unary.getText());
        assertThat(deltas.stream().flatMap(m -> m.getTokenIdsList().stream()).toList())
                .isEqualTo(unary.getTokenIdsList());
        assertThat(last.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(last.getUsage().getCompletionTokens()).isEqualTo(32);
        assertThat(last.getUsage().getPromptTokens()).isEqualTo(unary.getUsage().getPromptTokens());
        assertThat(last.getTokenIdsCount()).isZero();
        assertThat(unary.getText())
                .as("the tiny model's greedy text with the 8k tokenizer")
                .isNotBlank();
    }

    @Test
    void restJsonAndServerSentEventsAgreeWithGrpc() throws Exception {
        GenerateResponse grpc = generate(GenerationParameters.newBuilder().setMaxNewTokens(24));
        String body = "{\"model\": \"tiny\", \"prompt\": " + JSON.writeValueAsString(TestExports.PROMPT)
                + ", \"max_tokens\": 24, \"temperature\": 0";

        given().contentType(ContentType.JSON)
                .body(body + "}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .body("model", equalTo("tiny"))
                .body("choices[0].text", equalTo(grpc.getText()))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.prompt_tokens", equalTo(grpc.getUsage().getPromptTokens()))
                .body("usage.completion_tokens", equalTo(24))
                .body("usage.total_tokens", equalTo(grpc.getUsage().getPromptTokens() + 24));

        var sse = given().contentType(ContentType.JSON)
                .body(body + ", \"stream\": true}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .extract();
        assertThat(sse.contentType()).startsWith("text/event-stream");
        String[] frames = sse.asString().split("\n\n");
        assertThat(frames).hasSize(24 + 2);
        assertThat(frames[frames.length - 1]).isEqualTo("data: [DONE]");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < frames.length - 1; i++) {
            assertThat(frames[i]).startsWith("data: {");
            JsonNode chunk = JSON.readTree(frames[i].substring("data: ".length()));
            assertThat(chunk.path("object").asText()).isEqualTo("text_completion");
            text.append(chunk.path("choices").path(0).path("text").asText());
            boolean isLast = i == frames.length - 2;
            assertThat(chunk.path("choices").path(0).path("finish_reason").isNull())
                    .isEqualTo(!isLast);
            assertThat(chunk.path("usage").isNull()).isEqualTo(!isLast);
        }
        JsonNode lastChunk = JSON.readTree(frames[frames.length - 2].substring("data: ".length()));
        assertThat(lastChunk.path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("length");
        assertThat(lastChunk.path("usage").path("completion_tokens").asInt()).isEqualTo(24);
        assertThat(text.toString()).isEqualTo(grpc.getText());
    }

    @Test
    void respectsMaxNewTokensAndMaxLength() {
        GenerateResponse five = generate(GenerationParameters.newBuilder().setMaxNewTokens(5));
        assertThat(five.getTokenIdsCount()).isEqualTo(5);
        assertThat(five.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);

        GenerateResponse upTo20 = generate(GenerationParameters.newBuilder().setMaxLength(20));
        assertThat(upTo20.getTokenIdsCount()).isEqualTo(20 - upTo20.getUsage().getPromptTokens());
        assertThat(upTo20.getTokenIdsList()).startsWith(five.getTokenIdsList().toArray(Integer[]::new));

        GenerateResponse defaults = generate(GenerationParameters.newBuilder());
        assertThat(defaults.getUsage().getPromptTokens() + defaults.getTokenIdsCount())
                .as("max_length 64 by default, the notebook's")
                .isEqualTo(64);
    }

    @Test
    void stopStringFinishesWithStopAndTheTextEndsRightBeforeIt() {
        // The notebook's sampling, seeded: varied text (greedy on the random model repeats one token).
        GenerationParameters.Builder free = GenerationParameters.newBuilder()
                .setDoSample(true)
                .setTemperature(0.3f)
                .setTopP(0.9f)
                .setRepetitionPenalty(1.2f)
                .setNoRepeatNgramSize(2)
                .setSeed(42)
                .setMaxNewTokens(48);
        GenerateResponse full = generate(free);
        String text = full.getText();
        assertThat(text.strip()).as("text of the free run").hasSizeGreaterThanOrEqualTo(4);
        int at = -1;
        String stop = null;
        for (int k = Math.max(1, text.length() / 3); k + 2 <= text.length(); k++) {
            String candidate = text.substring(k, k + 2);
            if (text.indexOf(candidate) == k && !candidate.isBlank()) {
                at = k;
                stop = candidate;
                break;
            }
        }
        assertThat(stop)
                .as("a two-character stop string that first occurs after the start of " + text)
                .isNotNull();

        GenerationParameters.Builder stopped = free.clone().addStop(stop);
        GenerateResponse r = generate(stopped);
        assertThat(r.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_STOP);
        assertThat(r.getText()).isEqualTo(text.substring(0, at)).doesNotContain(stop);
        assertThat(r.getTokenIdsCount()).as(text).isLessThan(48);
        assertThat(full.getTokenIdsList()).startsWith(r.getTokenIdsList().toArray(Integer[]::new));

        List<StreamGenerateResponse> messages = stream(stopped);
        String streamed = String.join(
                "", messages.stream().map(StreamGenerateResponse::getTextDelta).toList());
        assertThat(streamed).isEqualTo(r.getText());
        assertThat(messages.get(messages.size() - 1).getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_STOP);

        given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": \"질문: 안녕하세요?\\n답변:\","
                        + " \"max_tokens\": 48, \"temperature\": 0.3, \"top_p\": 0.9, \"repetition_penalty\": 1.2,"
                        + " \"no_repeat_ngram_size\": 2, \"seed\": 42, \"stop\": " + json(stop) + "}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .body("choices[0].text", equalTo(r.getText()))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    @Test
    void seededSamplingIsReproducible() {
        GenerationParameters.Builder p = GenerationParameters.newBuilder()
                .setDoSample(true)
                .setTemperature(0.9f)
                .setTopP(0.95f)
                .setMaxNewTokens(16)
                .setSeed(7);
        GenerateResponse a = generate(p);
        GenerateResponse b = generate(p);
        GenerateResponse c = generate(p.clone().setSeed(8));
        assertThat(a.getTokenIdsList()).hasSize(16).isEqualTo(b.getTokenIdsList());
        assertThat(a.getText()).isEqualTo(b.getText());
        assertThat(c.getTokenIdsList()).isNotEqualTo(a.getTokenIdsList());
    }

    @Test
    void seededSamplingEqualsTheEngineWithTheSameSettings() throws Exception {
        GenerateResponse r = generate(GenerationParameters.newBuilder()
                .setDoSample(true)
                .setTemperature(0.3f)
                .setTopP(0.9f)
                .setRepetitionPenalty(1.2f)
                .setNoRepeatNgramSize(2)
                .setMaxLength(64)
                .setSeed(42));
        InProcess.Output ref = InProcess.generate(
                TestExports.tiny(),
                TestExports.PROMPT,
                SamplingParams.builder()
                        .doSample(true)
                        .temperature(0.3)
                        .topP(0.9)
                        .repetitionPenalty(1.2)
                        .noRepeatNgramSize(2)
                        .maxLength(64)
                        .seed(42L)
                        .build());
        assertThat(r.getTokenIdsList()).containsExactlyElementsOf(list(ref.ids()));
        assertThat(r.getText()).isEqualTo(ref.text());
    }

    @Test
    void logprobsAreTheEnginesWhenAskedFor() throws Exception {
        GenerateResponse r =
                generate(GenerationParameters.newBuilder().setMaxNewTokens(8).setLogprobs(0));
        InProcess.Output ref = InProcess.generate(
                TestExports.tiny(),
                TestExports.PROMPT,
                SamplingParams.builder().maxNewTokens(8).logprobs(0).build());
        assertThat(r.getLogprobsList()).extracting(TokenLogprob::getId).containsExactlyElementsOf(list(ref.ids()));
        for (int i = 0; i < 8; i++) {
            assertThat(r.getLogprobs(i).getLogprob())
                    .isEqualTo(ref.logprobs()[i])
                    .isNegative();
        }
        assertThat(generate(GenerationParameters.newBuilder().setMaxNewTokens(8))
                        .getLogprobsCount())
                .isZero();

        given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": \"질문: 안녕하세요?\\n답변:\","
                        + " \"max_tokens\": 8, \"temperature\": 0, \"logprobs\": 1}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .body("choices[0].logprobs.tokens.size()", equalTo(8))
                .body("choices[0].logprobs.token_logprobs[0]", equalTo(ref.logprobs()[0]));
    }

    @Test
    void logprobTokensAreTheTextEachTokenAddsWithTheTopAlternatives() throws Exception {
        JsonNode r = JSON.readTree(given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": " + json(TestExports.PROMPT)
                        + ", \"max_tokens\": 16, \"temperature\": 0, \"logprobs\": 3}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        JsonNode lp = r.at("/choices/0/logprobs");
        StringBuilder joined = new StringBuilder();
        lp.get("tokens").forEach(t -> joined.append(t.asText()));
        String text = r.at("/choices/0/text").asText();
        assertThat(joined.toString()).as("tokens %s", lp.get("tokens")).isEqualTo(text);
        // keyed by the text each alternative adds (OpenAI's shape): ids with the same text (e.g. ids the 8k tokenizer
        // lacks, all "") share one key, the likelier kept; greedy's token is the likeliest, under its own text
        for (int i = 0; i < lp.get("tokens").size(); i++) {
            JsonNode top = lp.get("top_logprobs").get(i);
            assertThat(top.size()).isBetween(1, 3);
            assertThat(top.get(lp.get("tokens").get(i).asText()).asDouble())
                    .isEqualTo(lp.get("token_logprobs").get(i).asDouble());
        }
    }

    @Test
    void openAiPenaltiesAndLogitBiasReachTheEngineOverRestAndGrpc() throws Exception {
        JsonNode rest = JSON.readTree(given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": " + json(TestExports.PROMPT)
                        + ", \"max_tokens\": 6, \"temperature\": 0, \"logit_bias\": {\"777\": 100}}")
                .post("/v1/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        GenerateResponse grpc =
                generate(GenerationParameters.newBuilder().setMaxNewTokens(6).putLogitBias(777, 100f));
        assertThat(grpc.getTokenIdsList()).containsOnly(777);
        InProcess.Output ref = InProcess.generate(
                TestExports.tiny(),
                TestExports.PROMPT,
                SamplingParams.builder()
                        .maxNewTokens(6)
                        .logitBias(java.util.Map.of(777, 100.0))
                        .build());
        assertThat(rest.at("/choices/0/text").asText()).isEqualTo(ref.text());
        GenerateResponse penalised = generate(GenerationParameters.newBuilder()
                .setMaxNewTokens(12)
                .setFrequencyPenalty(2f)
                .setPresencePenalty(2f));
        InProcess.Output penalisedRef = InProcess.generate(
                TestExports.tiny(),
                TestExports.PROMPT,
                SamplingParams.builder()
                        .maxNewTokens(12)
                        .frequencyPenalty(2.0)
                        .presencePenalty(2.0)
                        .build());
        assertThat(penalised.getTokenIdsList()).containsExactlyElementsOf(list(penalisedRef.ids()));
    }

    @Test
    void rejectsLengthsThePromptLeavesNoRoomFor() {
        int prompt = generate(GenerationParameters.newBuilder().setMaxNewTokens(1))
                .getUsage()
                .getPromptTokens();
        StatusRuntimeException tooMany = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> generate(GenerationParameters.newBuilder().setMaxNewTokens(125)));
        assertThat(tooMany.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(tooMany.getStatus().getDescription())
                .isEqualTo("parameters.max_new_tokens: must be in [1, " + (128 - prompt) + "] (context 128 - prompt "
                        + prompt + " tokens), got 125");

        StatusRuntimeException tooShort = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> generate(GenerationParameters.newBuilder().setMaxLength(prompt)));
        assertThat(tooShort.getStatus().getDescription())
                .isEqualTo("parameters.max_length: must be in ["
                        + (prompt + 1) + ", 128] (prompt " + prompt + " tokens + 1, context 128), got " + prompt
                        + " (or set max_new_tokens instead)");

        given().contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\", \"prompt\": \"질문: 안녕하세요?\\n답변:\"," + " \"max_tokens\": 125}")
                .post("/v1/completions")
                .then()
                .statusCode(400)
                .body("error.param", equalTo("max_tokens"))
                .body("error.message", startsWith("max_tokens: must be in [1, " + (128 - prompt) + "] (context 128"));
    }

    @Test
    void refusesAnExportWhoseTokenizerIsNotTheOneItWasTrainedWith() {
        TestExports.installWithOtherTokenizer("mixed", TestExports.tiny());
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub().generate(GenerateRequest.newBuilder()
                        .setModel("mixed")
                        .setText(TestExports.PROMPT)
                        .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription())
                .startsWith("model mixed: tokenizer mismatch: ")
                .contains(
                        "kotune.json says the model was trained with tokenizer sha256 fc9b40f47f37",
                        "Hint: export the checkpoint again with: ./kotune export --checkpoint ",
                        "--tokenizer <the tokenizer.json it was trained with>");

        given().contentType(ContentType.JSON)
                .body("{\"model\": \"mixed\", \"prompt\": \"hi\", \"stream\": true}")
                .post("/v1/completions")
                .then()
                .statusCode(503)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("model_invalid"))
                .body("error.param", equalTo("model"))
                .body("error.message", startsWith("model mixed: tokenizer mismatch: "));
    }

    @Test
    void listModelsSaysWhenAModelWasLoaded() {
        generate(GenerationParameters.newBuilder().setMaxNewTokens(1));
        Model tiny = stub().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
        assertThat(tiny.getId()).isEqualTo("tiny");
        assertThat(tiny.getContextLength()).isEqualTo(128);
        // The test model is exported with the exporter's default flavour; the API speaks the proto's names.
        assertThat(tiny.getGraphFlavor()).isEqualTo(GraphFlavour.DEFAULT == GraphFlavour.FUSED ? "optimized" : "plain");
        assertThat(tiny.getTokenizerSha256()).startsWith("fc9b40f47f37");
        assertThat(tiny.hasLoadedAt()).isTrue();
        assertThat(tiny.getLoadedAt().getSeconds()).isGreaterThan(1_600_000_000L);
    }
}
