package dev.kotune.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.testing.SharedData;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.chat.ChatMessage;
import dev.kotune.tokenization.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a chat template option the export's tokenizer_config.json carries {@code chat_template} next to the source's
 * fields (or a minimal config when the tokenizer has none), and tokenization's ChatTemplate reads it back; without
 * the option the tokenizer files are copied as they are.
 */
class ExportChatTemplateTest {

    private static final String TEMPLATE = ChatTemplate.forPromptTemplate(PromptTemplate.NOTEBOOK.text());
    private static final Map<String, String> KOGPT2_TOKENS =
            Map.of("bos_token", "</s>", "eos_token", "</s>", "pad_token", "<pad>", "unk_token", "<unk>");

    @TempDir
    Path tmp;

    @Test
    void chatTemplateJoinsTheSourceConfigWhoseFieldsAreKept() throws Exception {
        Path tok = tokenizerDir();
        Files.writeString(tok.resolve("tokenizer_config.json"), """
                {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": {"__type": "AddedToken", "content": "</s>"},
                 "model_max_length": 1024, "clean_up_tokenization_spaces": false, "custom": {"kept": [1, "둘"]},
                 "chat_template": "{{ 'the source template' }}"}""");
        Files.writeString(tok.resolve("special_tokens_map.json"), "{\"eos_token\": \"</s>\"}");
        Files.writeString(tok.resolve("chat_template.jinja"), "{{ 'would win over tokenizer_config.json' }}");
        JsonNode source =
                Goldens.MAPPER.readTree(tok.resolve("tokenizer_config.json").toFile());

        Path out = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("out"))
                        .withTokenizer(tok)
                        .withChatTemplate(TEMPLATE, Map.of("eos_token", "<not-used>", "pad_token", "<pad>")))
                .dir();

        JsonNode config =
                Goldens.MAPPER.readTree(out.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("chat_template").asText()).isEqualTo(TEMPLATE);
        for (String field :
                List.of("tokenizer_class", "eos_token", "model_max_length", "clean_up_tokenization_spaces", "custom")) {
            assertThat(config.get(field)).as(field).isEqualTo(source.get(field));
        }
        assertThat(config.get("pad_token").asText()).isEqualTo("<pad>"); // added: the source had none
        assertThat(iterable(config.fieldNames()))
                .containsExactly(
                        "tokenizer_class",
                        "eos_token",
                        "model_max_length",
                        "clean_up_tokenization_spaces",
                        "custom",
                        "chat_template",
                        "pad_token");
        assertThat(out.resolve("chat_template.jinja")).doesNotExist();
        assertThat(out.resolve("special_tokens_map.json"))
                .hasSameTextualContentAs(tok.resolve("special_tokens_map.json"));
        assertThat(Files.readString(out.resolve("tokenizer_config.json")))
                .contains("\"chat_template\": ")
                .endsWith("}\n");

        ChatTemplate chat = ChatTemplate.fromDirectory(out).orElseThrow();
        assertThat(chat.specialTokens()).containsEntry("eos_token", "</s>").containsEntry("pad_token", "<pad>");
        assertThat(chat.render(List.of(ChatMessage.user("배고파")), true))
                .isEqualTo(PromptTemplate.NOTEBOOK.renderPrompt("배고파"));
        assertThat(chat.render(List.of(ChatMessage.user("배고파"), ChatMessage.assistant("밥 먹자")), false))
                .isEqualTo(PromptTemplate.NOTEBOOK.render("배고파", "밥 먹자") + "</s>");
    }

    @Test
    void aTokenizerWithoutConfigGetsAMinimalOne() throws Exception {
        Path out = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("out"))
                        .withTokenizer(SharedData.require("kogpt2/tokenizer.json"))
                        .withChatTemplate(TEMPLATE, KOGPT2_TOKENS))
                .dir();

        JsonNode config =
                Goldens.MAPPER.readTree(out.resolve("tokenizer_config.json").toFile());
        assertThat(iterable(config.fieldNames()))
                .containsExactly(
                        "tokenizer_class",
                        "bos_token",
                        "eos_token",
                        "unk_token",
                        "pad_token",
                        "model_max_length",
                        "chat_template");
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("PreTrainedTokenizerFast");
        assertThat(config.get("model_max_length").asInt()).isEqualTo(128); // the tiny model's n_positions
        assertThat(config.get("chat_template").asText()).isEqualTo(TEMPLATE);
        assertThat(ChatTemplate.fromDirectory(out).orElseThrow().specialTokens())
                .isEqualTo(KOGPT2_TOKENS);
    }

    @Test
    void withoutTheOptionTheTokenizerFilesAreCopiedAsTheyAre() throws Exception {
        Path tok = tokenizerDir();
        Files.writeString(tok.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ 'own' }}\"}");
        Files.writeString(tok.resolve("chat_template.jinja"), "{{ 'own jinja' }}");

        Path out = OnnxExporter.export(ExportOptions.of(Goldens.tinyModel(), tmp.resolve("out"))
                        .withTokenizer(tok))
                .dir();

        assertThat(out.resolve("tokenizer_config.json")).hasSameBinaryContentAs(tok.resolve("tokenizer_config.json"));
        assertThat(out.resolve("chat_template.jinja")).hasSameBinaryContentAs(tok.resolve("chat_template.jinja"));
        assertThat(ChatTemplate.fromDirectory(out).orElseThrow().render(List.of(), false))
                .isEqualTo("own jinja");
    }

    private Path tokenizerDir() throws Exception {
        Path tok = Files.createDirectories(tmp.resolve("tok"));
        Files.copy(SharedData.require("kogpt2/tokenizer.json"), tok.resolve("tokenizer.json"));
        return tok;
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
