package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

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
 * {@code /v1/chat/completions} on the model's chat template (the notebook's training text, as the trainer writes it),
 * over real HTTP on loopback: a one-message chat answers exactly as the completion of the training text's prompt.
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class ChatCompletionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void installModels() {
        TestExports.install("chat", TestExports.tinyWithChatTemplate());
        TestExports.install("plain", TestExports.tiny());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void aOneMessageChatAnswersExactlyAsTheCompletionOfTheTrainingTextsPrompt() throws Exception {
        JsonNode chat = JSON.readTree(post(
                        "/v1/chat/completions",
                        "{\"model\": \"chat\", \"messages\": [{\"role\":"
                                + " \"user\", \"content\": \"배고파\"}], \"max_tokens\": 16, \"temperature\": 0}")
                .statusCode(200)
                .extract()
                .asString());
        JsonNode completion = JSON.readTree(post(
                        "/v1/completions",
                        "{\"model\": \"chat\", \"prompt\": \"질문: 배고파\\n"
                                + "답변:\", \"max_tokens\": 16, \"temperature\": 0}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(chat.get("object").asText()).isEqualTo("chat.completion");
        assertThat(chat.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(chat.at("/choices/0/message/content").asText())
                .isEqualTo(completion.at("/choices/0/text").asText())
                .isNotEmpty();
        assertThat(chat.at("/choices/0/finish_reason").asText())
                .isEqualTo(completion.at("/choices/0/finish_reason").asText());
        assertThat(chat.get("usage")).isEqualTo(completion.get("usage"));
    }

    @Test
    void aStreamedChatSendsTheRoleFirstThenContentThenFinishReasonUsageAndDone() throws Exception {
        String unary = JSON.readTree(post(
                                "/v1/chat/completions",
                                "{\"model\": \"chat\", \"messages\": [{\"role\":"
                                        + " \"user\", \"content\": \"안녕\"}], \"max_tokens\": 12}")
                        .statusCode(200)
                        .extract()
                        .asString())
                .at("/choices/0/message/content")
                .asText();
        String body = post(
                        "/v1/chat/completions",
                        "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\","
                                + " \"content\": \"안녕\"}], \"max_tokens\": 12, \"stream\": true, \"stream_options\":"
                                + " {\"include_usage\": true}}")
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                chunks.add(JSON.readTree(line.substring(6)));
            }
        }
        assertThat(body.strip()).endsWith("data: [DONE]");
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        assertThat(text.toString()).isEqualTo(unary);
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(12);
        assertThat(chunks).allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
    }

    @Test
    void aModelWithoutAChatTemplateOrABadConversationIsA400NamingMessages() {
        post(
                        "/v1/chat/completions",
                        "{\"model\": \"plain\", \"messages\": [{\"role\": \"user\", \"content\":" + " \"hi\"}]}")
                .statusCode(400)
                .body("error.param", equalTo("messages"))
                .body("error.message", startsWith("messages: cannot be rendered: model plain has no chat template"));
        post("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": []}")
                .statusCode(400)
                .body("error.param", equalTo("messages"));
        post("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": [{\"content\": \"hi\"}]}")
                .statusCode(400)
                .body("error.param", equalTo("messages[0].role"));
        post(
                        "/v1/chat/completions",
                        "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                                + " \"top_logprobs\": 3, \"logprobs\": true, \"top_p\": 7}")
                .statusCode(400)
                .body("error.param", equalTo("top_p"));
    }
}
