package dev.kotune.tokenization.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.testing.SharedData;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.chat.ChatTemplateException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    private static final Map<String, String> KOGPT2 = Map.of("bos_token", "</s>", "eos_token", "</s>");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneUserMessageIsExactlyTheCompletionPrompt() {
        ChatTemplate chat = ChatTemplate.of(ChatTemplate.forPromptTemplate(PromptTemplate.NOTEBOOK.text()), KOGPT2);
        for (boolean addGenerationPrompt : new boolean[] {true, false}) {
            assertThat(chat.render(List.of(ChatMessage.user("배고파")), addGenerationPrompt))
                    .isEqualTo(PromptTemplate.NOTEBOOK.renderPrompt("배고파"))
                    .isEqualTo("질문: 배고파\n답변:");
        }
    }

    @Test
    void anyPromptTemplateAndPromptRenderAsRenderPrompt() {
        List<String> templates = List.of(
                "질문: {prompt}\n답변:{completion}",
                "{prompt}{completion}",
                "Q: {prompt} A: {completion}\n",
                "'{prompt}' \\ \"x\" {{ y }} {% raw %} {# c #}\t{completion}!",
                "### 지시\r\n{prompt}\n\n### 응답\n{completion}</s>");
        List<String> prompts =
                List.of("배고파", "", "  공백  ", "{{ eos_token }}", "{% endfor %}", "it's \\n \"q\"", "줄\n바꿈", "😀 이모지");
        for (String t : templates) {
            PromptTemplate template = new PromptTemplate(t);
            for (boolean eos : new boolean[] {true, false}) {
                ChatTemplate chat = ChatTemplate.of(ChatTemplate.forPromptTemplate(template, eos), KOGPT2);
                for (String p : prompts) {
                    assertThat(chat.render(List.of(ChatMessage.user(p)), true))
                            .as(t + " / " + p)
                            .isEqualTo(template.renderPrompt(p));
                }
            }
        }
    }

    @Test
    void finishedExchangesAreTheTrainingTexts() {
        PromptTemplate template = new PromptTemplate("Q: {prompt}\nA:{completion}\n");
        ChatTemplate chat = ChatTemplate.of(ChatTemplate.forPromptTemplate(template, true), KOGPT2);
        String rendered = chat.render(
                List.of(ChatMessage.user("배고파"), ChatMessage.assistant(" 밥 먹어요."), ChatMessage.user("뭐 먹지?")), true);
        assertThat(rendered).isEqualTo(template.render("배고파", " 밥 먹어요.") + "</s>" + template.renderPrompt("뭐 먹지?"));

        ChatTemplate noEos = ChatTemplate.of(ChatTemplate.forPromptTemplate(template, false), KOGPT2);
        assertThat(noEos.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false))
                .isEqualTo(template.render("a", "b"));
    }

    @Test
    void systemMessageFirstIsContextAndElsewhereRefused() {
        ChatTemplate chat = ChatTemplate.of(ChatTemplate.forPromptTemplate("질문: {prompt}\n답변:{completion}"), KOGPT2);
        assertThat(chat.render(List.of(ChatMessage.system("짧게 답해."), ChatMessage.user("배고파")), true))
                .isEqualTo("짧게 답해.\n질문: 배고파\n답변:");
        assertThat(chat.render(List.of(ChatMessage.system(""), ChatMessage.user("배고파")), true))
                .isEqualTo("질문: 배고파\n답변:");
        assertThatThrownBy(() -> chat.render(List.of(ChatMessage.user("a"), ChatMessage.system("b")), true))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.RAISED);
                    assertThat(e.detail())
                            .isEqualTo("kotune chat template: messages[1] has role 'system'; only a first system"
                                    + " message, then user and assistant messages are supported");
                });
        assertThatThrownBy(() -> chat.render(List.of(new ChatMessage("tool", "42")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("messages[0] has role 'tool'");
    }

    @Test
    void specialTokensOfKoGpt2AreItsDocumentedRoles() {
        try (KoTokenizer tokenizer = KoTokenizer.load(SharedData.require("kogpt2/tokenizer.json"))) {
            assertThat(ChatTemplate.specialTokens(tokenizer.info()))
                    .containsExactly(
                            Map.entry("bos_token", "</s>"),
                            Map.entry("eos_token", "</s>"),
                            Map.entry("unk_token", "<unk>"),
                            Map.entry("pad_token", "<pad>"),
                            Map.entry("mask_token", "<mask>"));
        }
    }

    @Test
    void forPromptTemplateRejectsAnInvalidPromptTemplate() {
        assertThatThrownBy(() -> ChatTemplate.forPromptTemplate("no placeholders"))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void raiseExceptionAndBadTemplatesAreTypedErrors() {
        ChatTemplate raising = ChatTemplate.of(
                "{% if messages | length > 1 %}{{ raise_exception('only one message,"
                        + " please') }}{% endif %}{{ messages[0]['content'] }}",
                Map.of());
        assertThat(raising.render(List.of(ChatMessage.user("x")), true)).isEqualTo("x");
        assertThatThrownBy(() -> raising.render(List.of(ChatMessage.user("x"), ChatMessage.user("y")), true))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.RAISED);
                    assertThat(e.getMessage())
                            .isEqualTo("chat template rejected the conversation: only one message, please");
                });

        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.content }}", Map.of()))
                .isInstanceOfSatisfying(
                        ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SYNTAX))
                .hasMessageStartingWith("chat template is invalid: ");
        ChatTemplate badExpression = ChatTemplate.of("{{ messages[0]['content'] + }}", Map.of());
        assertThatThrownBy(() -> badExpression.render(List.of(ChatMessage.user("x")), true))
                .isInstanceOf(ChatTemplateException.class);
    }

    @Test
    void variablesOverrideSpecialTokensAsTransformersKwargsDo() {
        ChatTemplate chat = ChatTemplate.of("{{ eos_token }}|{{ flag }}|{{ add_generation_prompt }}", KOGPT2);
        assertThat(chat.render(List.of(), true, Map.of("flag", "on", "eos_token", "<|end|>")))
                .isEqualTo("<|end|>|on|true");
        assertThat(chat.withSpecialTokens(Map.of("eos_token", "<e>")).render(List.of(), false))
                .isEqualTo("<e>||false");
    }

    @Test
    void tokenizerConfigFormsAndDirectoryLookup(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplate.fromDirectory(dir)).isEmpty();

        ObjectNode config = JSON.createObjectNode();
        config.put("model_max_length", 1024);
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(config))
                .isInstanceOfSatisfying(
                        ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISSING))
                .hasMessage("chat template: tokenizer_config.json has no chat_template");

        config.put("eos_token", "</s>");
        config.putObject("bos_token").put("__type", "AddedToken").put("content", "<s>");
        config.put("chat_template", "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
        ChatTemplate fromDir = ChatTemplate.fromDirectory(dir).orElseThrow();
        assertThat(fromDir.specialTokens()).isEqualTo(Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertThat(fromDir.render(List.of(ChatMessage.user("x")), false)).isEqualTo("<s>x</s>");

        // special_tokens_map.json overrides a config without added_tokens_decoder, as transformers' legacy path does
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\": {\"content\": \"<eos>\"}}");
        assertThat(ChatTemplate.fromDirectory(dir).orElseThrow().specialTokens())
                .containsEntry("eos_token", "<eos>");

        // chat_template.jinja wins over tokenizer_config.json (transformers 5's save format)
        Files.writeString(dir.resolve("chat_template.jinja"), "J:{{ messages[0].content }}", StandardCharsets.UTF_8);
        assertThat(ChatTemplate.fromDirectory(dir).orElseThrow().render(List.of(ChatMessage.user("x")), true))
                .isEqualTo("J:x");

        config.putArray("chat_template").addObject().put("name", "tool_use").put("template", "T");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(config))
                .isInstanceOfSatisfying(
                        ChatTemplateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISSING))
                .hasMessageContaining("[tool_use]");
        ((com.fasterxml.jackson.databind.node.ArrayNode) config.get("chat_template"))
                .addObject()
                .put("name", "default")
                .put("template", "D");
        assertThat(ChatTemplate.fromTokenizerConfig(config).source()).isEqualTo("D");
    }

    @Test
    void oneCompiledTemplateRendersOnManyThreadsAtOnce() throws Exception {
        ChatTemplate chat = ChatTemplate.of(ChatTemplate.forPromptTemplate(PromptTemplate.NOTEBOOK.text()), KOGPT2);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 300; i++) {
                        String p = "질문 " + thread + "-" + i;
                        List<ChatMessage> conversation = i % 3 == 0
                                ? List.of(ChatMessage.user(p))
                                : List.of(
                                        ChatMessage.user("a" + i),
                                        ChatMessage.assistant("b" + thread),
                                        ChatMessage.user(p));
                        String expected = i % 3 == 0
                                ? PromptTemplate.NOTEBOOK.renderPrompt(p)
                                : PromptTemplate.NOTEBOOK.render("a" + i, "b" + thread) + "</s>"
                                        + PromptTemplate.NOTEBOOK.renderPrompt(p);
                        if (chat.render(conversation, true).equals(expected)) {
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(300);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
