package dev.kotune.tokenization.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import dev.kotune.tokenization.PromptTemplate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jinjava renders every template × conversation × add_generation_prompt of {@code goldens/chat/chat_templates.json}
 * byte for byte as transformers' {@code apply_chat_template(..., tokenize=False)} did (conformance/
 * chat_template_oracle.py), and fails with the template's own message where transformers raised.
 */
class ChatTemplateGoldenTest {
    /**
     * Cases where Jinjava and jinja2 are known to disagree, with why. Asserted to still disagree, so a Jinjava upgrade
     * that fixes one shows up here.
     */
    private static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
            "llama2/empty-system/true", "EL coerces '' to false, so `'' != false` is false (Python: True)",
            "llama2/empty-system/false", "EL coerces '' to false, so `'' != false` is false (Python: True)");

    private static JsonNode golden;
    private static final Map<String, ChatTemplate> TEMPLATES = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        golden = new ObjectMapper()
                .readTree(RepoFiles.conformance("goldens/chat/chat_templates.json")
                        .toFile());
        golden.path("templates")
                .fields()
                .forEachRemaining(e -> TEMPLATES.put(
                        e.getKey(),
                        ChatTemplate.fromTokenizerConfig(e.getValue().path("tokenizer_config"))));
    }

    static Stream<Arguments> cases() throws IOException {
        JsonNode g = new ObjectMapper()
                .readTree(RepoFiles.conformance("goldens/chat/chat_templates.json")
                        .toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : g.path("cases")) {
            out.add(Arguments.of(
                    c.path("template").asText() + "/" + c.path("conversation").asText() + "/"
                            + c.path("add_generation_prompt").asBoolean(),
                    c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsTransformers(String name, JsonNode c) {
        ChatTemplate template = TEMPLATES.get(c.path("template").asText());
        List<ChatMessage> messages = conversation(c.path("conversation").asText());
        boolean addGenerationPrompt = c.path("add_generation_prompt").asBoolean();
        if (KNOWN_DIFFERENCES.containsKey(name)) {
            assertThat(template.render(messages, addGenerationPrompt))
                    .as(KNOWN_DIFFERENCES.get(name))
                    .isNotEqualTo(c.path("rendered").asText());
            return;
        }
        if (c.has("error")) {
            assertThatThrownBy(() -> template.render(messages, addGenerationPrompt))
                    .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ChatTemplateException.Reason.RAISED);
                        assertThat(e.detail())
                                .isEqualTo(c.path("error").path("message").asText());
                        assertThat(e.getMessage()).isEqualTo("chat template rejected the conversation: " + e.detail());
                    });
        } else {
            assertThat(template.render(messages, addGenerationPrompt))
                    .isEqualTo(c.path("rendered").asText());
        }
    }

    @Test
    void specialTokensAreThoseTransformersPasses() {
        golden.path("templates").fields().forEachRemaining(e -> {
            Map<String, String> expected = new LinkedHashMap<>();
            e.getValue()
                    .path("special_tokens_map")
                    .fields()
                    .forEachRemaining(t -> expected.put(t.getKey(), t.getValue().asText()));
            assertThat(TEMPLATES.get(e.getKey()).specialTokens()).as(e.getKey()).isEqualTo(expected);
        });
    }

    @Test
    void forPromptTemplateWritesTheOraclesText() {
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>)
                () -> golden.path("templates").fields()) {
            JsonNode madeFrom = e.getValue().path("made_from");
            if (madeFrom.isObject()) {
                String made = ChatTemplate.forPromptTemplate(
                        new PromptTemplate(madeFrom.path("prompt_template").asText()),
                        madeFrom.path("append_eos").asBoolean());
                assertThat(made)
                        .as(e.getKey())
                        .isEqualTo(TEMPLATES.get(e.getKey()).source());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void goldenCoversEveryTemplateAndBothErrorAndText() {
        assertThat(TEMPLATES).containsKeys("kotune-notebook", "chatml", "zephyr", "llama2", "whitespace", "named-list");
        assertThat(golden.path("cases")).anyMatch(c -> c.has("error")).anyMatch(c -> c.has("rendered"));
        assertThat(golden.path("oracle").path("transformers").asText()).isEqualTo("5.23.0");
    }

    private static List<ChatMessage> conversation(String name) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : golden.path("conversations").path(name)) {
            messages.add(
                    new ChatMessage(m.path("role").asText(), m.path("content").asText()));
        }
        return messages;
    }
}
