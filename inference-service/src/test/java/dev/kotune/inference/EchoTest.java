package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code echo} on /v1/completions with prompt logprobs (the engine's prompt_logprobs) over real HTTP: the prompt's
 * scores from one full-logits pass must equal what decoding with the KV cache gives the same positions.
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class EchoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "질문: 안녕하세요?\n답변: 반가워요";

    @BeforeEach
    void installModel() {
        TestExports.install("tiny", TestExports.tiny());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void echoWithMaxTokensZeroScoresThePromptAsDecodingDoesAtEachPosition() throws Exception {
        JsonNode echo = read(post(
                        "/v1/completions",
                        "{\"prompt\": " + quote(PROMPT) + ", \"echo\": true, \"logprobs\": 3, \"max_tokens\": 0}")
                .statusCode(200)
                .extract()
                .asString());
        JsonNode choice = echo.at("/choices/0");
        assertThat(choice.get("text").asText()).isEqualTo(PROMPT);
        assertThat(echo.at("/usage/completion_tokens").asInt()).isZero();
        JsonNode lp = choice.get("logprobs");
        int n = echo.at("/usage/prompt_tokens").asInt();
        assertThat(lp.get("tokens")).hasSize(n);
        assertThat(lp.get("token_logprobs").get(0).isNull()).isTrue();
        assertThat(lp.get("top_logprobs").get(0).isNull()).isTrue();
        StringBuilder joined = new StringBuilder();
        lp.get("tokens").forEach(t -> joined.append(t.asText()));
        assertThat(joined.toString().strip()).isEqualTo(PROMPT.strip());
        List<Integer> ids = ids(PROMPT);
        assertThat(ids).hasSize(n);
        for (int k : new int[] {1, n / 2, n - 1}) { // decoding from the prefix scores token k the same way
            JsonNode next = read(post(
                            "/v1/completions",
                            "{\"prompt\": " + ids.subList(0, k) + ", \"max_tokens\": 1, \"logprobs\": 3}")
                    .statusCode(200)
                    .extract()
                    .asString());
            JsonNode decodedTop = next.at("/choices/0/logprobs/top_logprobs/0");
            JsonNode scoredTop = lp.get("top_logprobs").get(k);
            assertThat(scoredTop.size()).isBetween(1, 3); // keyed by text: ids with the same text share a key
            List<String> decodedIds = new ArrayList<>();
            decodedTop.fieldNames().forEachRemaining(decodedIds::add);
            List<String> scoredIds = new ArrayList<>();
            scoredTop.fieldNames().forEachRemaining(scoredIds::add);
            assertThat(scoredIds).isEqualTo(decodedIds);
            for (String id : scoredIds) {
                assertThat(scoredTop.get(id).asDouble())
                        .isCloseTo(decodedTop.get(id).asDouble(), within(1e-3));
            }
            double lpk = lp.get("token_logprobs").get(k).asDouble();
            assertThat(lpk).isLessThanOrEqualTo(0);
            if (scoredTop.has(String.valueOf(ids.get(k)))) {
                assertThat(lpk)
                        .isCloseTo(scoredTop.get(String.valueOf(ids.get(k))).asDouble(), within(1e-6));
            }
        }
    }

    @Test
    void echoPutsThePromptBeforeTheGeneratedTextAndItsLogprobsFirstStreamingOrNot() throws Exception {
        JsonNode plain =
                read(post("/v1/completions", "{\"prompt\": " + quote(PROMPT) + ", \"max_tokens\": 5, \"logprobs\": 2}")
                        .statusCode(200)
                        .extract()
                        .asString());
        JsonNode echo = read(post(
                        "/v1/completions",
                        "{\"prompt\": " + quote(PROMPT) + ", \"max_tokens\": 5, \"logprobs\": 2, \"echo\": true}")
                .statusCode(200)
                .extract()
                .asString());
        String generated = plain.at("/choices/0/text").asText();
        assertThat(echo.at("/choices/0/text").asText()).isEqualTo(PROMPT + generated);
        int n = echo.at("/usage/prompt_tokens").asInt();
        JsonNode lp = echo.at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(n + 5);
        for (int i = 0; i < 5; i++) {
            assertThat(lp.get("token_logprobs").get(n + i).asDouble())
                    .isEqualTo(
                            plain.at("/choices/0/logprobs/token_logprobs/" + i).asDouble());
        }
        // echo without logprobs: the text only
        JsonNode textOnly =
                read(post("/v1/completions", "{\"prompt\": " + quote(PROMPT) + ", \"max_tokens\": 5, \"echo\": true}")
                        .statusCode(200)
                        .extract()
                        .asString());
        assertThat(textOnly.at("/choices/0/text").asText()).isEqualTo(PROMPT + generated);
        assertThat(textOnly.at("/choices/0/logprobs").isNull()).isTrue();
        // streaming: the first chunk starts with the prompt; max_tokens 0 streams the prompt alone
        String stream = post(
                        "/v1/completions",
                        "{\"prompt\": " + quote(PROMPT) + ", \"max_tokens\": 5, \"echo\": true, \"stream\": true}")
                .statusCode(200)
                .extract()
                .asString();
        assertThat(streamedText(stream)).isEqualTo(PROMPT + generated);
        String scoreOnly = post(
                        "/v1/completions",
                        "{\"prompt\": " + quote(PROMPT) + ", \"max_tokens\": 0, \"echo\": true, \"stream\": true}")
                .statusCode(200)
                .extract()
                .asString();
        assertThat(streamedText(scoreOnly)).isEqualTo(PROMPT);
        // prompt as ids: the echo is the decoded prompt
        JsonNode byIds =
                read(post("/v1/completions", "{\"prompt\": " + ids(PROMPT) + ", \"max_tokens\": 0, \"echo\": true}")
                        .statusCode(200)
                        .extract()
                        .asString());
        assertThat(byIds.at("/choices/0/text").asText()).isEqualTo(PROMPT);
    }

    @Test
    void maxTokensZeroWithoutEchoAndPromptLogprobsOutOfRangeAreRefusedByName() {
        post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 0}")
                .statusCode(400)
                .body("error.param", equalTo("max_tokens"));
        post("/v1/completions", "{\"prompt\": \"hi\", \"echo\": true, \"logprobs\": 21}")
                .statusCode(400)
                .body("error.param", equalTo("logprobs"));
    }

    private static String streamedText(String sse) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode c = JSON.readTree(line.substring(6));
                if (c.at("/choices/0/text").isTextual()) {
                    s.append(c.at("/choices/0/text").asText());
                }
            }
        }
        return s.toString();
    }

    private static List<Integer> ids(String text) throws Exception {
        JsonNode t = read(post("/tokenize", "{\"prompt\": " + quote(text) + "}")
                .statusCode(200)
                .extract()
                .asString());
        List<Integer> ids = new ArrayList<>();
        t.get("tokens").forEach(i -> ids.add(i.asInt()));
        return ids;
    }

    private static JsonNode read(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static String quote(String s) throws Exception {
        return JSON.writeValueAsString(s);
    }
}
