package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TGI's and vLLM's /tokenize and vLLM's /detokenize over real HTTP, with the export's own tokenizer. */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class TokenizeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "질문: 안녕하세요?\n답변: 반가워요";

    @BeforeEach
    void installModel() {
        TestExports.install("chat", TestExports.tinyWithChatTemplate());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void vllmTokenizeAndDetokenizeRoundTripAndAgreeWithTheCompletionsPromptCount() throws Exception {
        JsonNode tokenized = read(post("/tokenize", "{\"model\": \"chat\", \"prompt\": " + quote(TEXT) + "}")
                .statusCode(200)
                .extract()
                .asString());
        List<Integer> ids = new ArrayList<>();
        tokenized.get("tokens").forEach(t -> ids.add(t.asInt()));
        assertThat(ids).isNotEmpty();
        assertThat(tokenized.get("count").asInt()).isEqualTo(ids.size());
        assertThat(tokenized.get("max_model_len").asInt()).isEqualTo(128);
        JsonNode completion = read(
                post("/v1/completions", "{\"model\": \"chat\", \"prompt\": " + quote(TEXT) + ", \"max_tokens\": 1}")
                        .statusCode(200)
                        .extract()
                        .asString());
        assertThat(completion.at("/usage/prompt_tokens").asInt()).isEqualTo(ids.size());
        post("/detokenize", "{\"model\": \"chat\", \"tokens\": " + ids + "}")
                .statusCode(200)
                .body("prompt", equalTo(TEXT));
        // ids as a prompt give the same completion as the text
        JsonNode byIds =
                read(post("/v1/completions", "{\"model\": \"chat\", \"prompt\": " + ids + ", \"max_tokens\": 1}")
                        .statusCode(200)
                        .extract()
                        .asString());
        assertThat(byIds.at("/choices/0/text").asText())
                .isEqualTo(completion.at("/choices/0/text").asText());
    }

    @Test
    void vllmTokenizeRendersMessagesWithTheChatTemplate() throws Exception {
        String messages = "[{\"role\": \"user\", \"content\": \"안녕하세요?\"}]";
        JsonNode chat = read(post("/tokenize", "{\"model\": \"chat\", \"messages\": " + messages + "}")
                .statusCode(200)
                .extract()
                .asString());
        JsonNode plain = read(post("/tokenize", "{\"model\": \"chat\", \"prompt\": \"질문: 안녕하세요?\\n답변:\"}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(chat.get("tokens")).isEqualTo(plain.get("tokens"));
        JsonNode noOpener = read(post(
                        "/tokenize",
                        "{\"model\": \"chat\", \"messages\": " + messages + ", \"add_generation_prompt\": false}")
                .statusCode(200)
                .extract()
                .asString());
        // this template writes the answer opener with the user turn, so it is there either way
        assertThat(noOpener.get("count").asInt())
                .isPositive()
                .isLessThanOrEqualTo(chat.get("count").asInt());
    }

    @Test
    void tgiTokenizeGivesEachTokensSliceAndUtf8ByteOffsets() throws Exception {
        JsonNode tokens = read(post("/tokenize", "{\"inputs\": " + quote(TEXT) + "}")
                .statusCode(200)
                .extract()
                .asString());
        JsonNode vllm = read(post("/tokenize", "{\"prompt\": " + quote(TEXT) + "}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(tokens.isArray()).isTrue();
        assertThat(tokens).hasSize(vllm.get("count").asInt());
        byte[] utf8 = TEXT.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode t = tokens.get(i);
            assertThat(t.get("id").asInt()).isEqualTo(vllm.get("tokens").get(i).asInt());
            int start = t.get("start").asInt();
            int stop = t.get("stop").asInt();
            assertThat(new String(utf8, start, stop - start, StandardCharsets.UTF_8))
                    .isEqualTo(t.get("text").asText());
        }
        assertThat(tokens.get(tokens.size() - 1).get("stop").asInt()).isEqualTo(utf8.length);
    }

    @Test
    void badRequestsNameTheFieldAndAnUnknownModelIs404() {
        post("/tokenize", "{\"model\": \"nope\", \"prompt\": \"hi\"}")
                .statusCode(404)
                .body("error.code", equalTo("model_not_found"));
        post("/tokenize", "{\"model\": \"chat\"}").statusCode(400).body("error.param", equalTo("prompt"));
        post("/tokenize", "{\"prompt\": \"hi\", \"add_special_tokens\": \"x\"}")
                .statusCode(400)
                .body("error.param", equalTo("add_special_tokens"));
        post("/tokenize", "{\"prompt\": \"hi\", \"return_token_strs\": true}")
                .statusCode(400)
                .body("error.param", equalTo("return_token_strs"));
        post("/tokenize", "{\"messages\": [{\"content\": \"hi\"}]}")
                .statusCode(400)
                .body("error.param", equalTo("messages[0].role"));
        post("/detokenize", "{\"tokens\": [1, 99999999]}")
                .statusCode(400)
                .body("error.param", equalTo("tokens[1]"))
                .body("error.message", containsString("8000"));
        post("/detokenize", "{\"tokens\": \"x\"}").statusCode(400).body("error.param", equalTo("tokens"));
        post("/detokenize", "{}").statusCode(400).body("error.param", equalTo("tokens"));
    }

    private static JsonNode read(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static String quote(String s) throws Exception {
        return JSON.writeValueAsString(s);
    }
}
