package dev.kotune.tokenization.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.SpecialToken;
import dev.kotune.tokenization.SpecialTokenRole;
import dev.kotune.tokenization.TokenizerInfo;
import dev.kotune.tokenization.chat.ChatTemplateException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's chat template, rendered as transformers' {@code tokenizer.apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=...)} renders it, on Jinjava (see {@link JinjaEnvironment} for the Jinja2 environment it
 * reproduces: {@code trim_blocks}, {@code lstrip_blocks}, {@code raise_exception}, ...).
 *
 * <p>Where the template comes from, as transformers 5 loads it: {@code chat_template.jinja} in the model directory
 * when present, else {@code tokenizer_config.json}'s {@code chat_template}, a string or HF's list of
 * {@code {"name", "template"}} objects (the one named {@code "default"} is used). The template sees {@code messages}
 * (a list of {@code {"role", "content"}} maps), {@code add_generation_prompt}, {@code tools} and {@code documents}
 * (both none) and the special tokens of {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token},
 * {@code unk_token}, {@code sep_token}, {@code pad_token}, {@code cls_token}, {@code mask_token}, a string or an
 * AddedToken object's {@code content}; {@code special_tokens_map.json} overrides them for a config without
 * {@code added_tokens_decoder}, as transformers does).
 *
 * <p>{@link #forPromptTemplate(PromptTemplate, boolean)} makes the chat template of a kotune fine-tune: a one-message
 * chat renders exactly as the training text's prompt part ({@link PromptTemplate#renderPrompt}).
 *
 * <p>The template is parsed once, here; {@link #render} may run on any number of threads at once. Immutable,
 * thread-safe.
 */
public final class ChatTemplate {
    /** Where transformers 5 saves a single chat template (it wins over tokenizer_config.json's). */
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
    /** The tokenizer config file and its field. */
    public static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";

    public static final String CHAT_TEMPLATE_FIELD = "chat_template";
    /** The legacy special-tokens file. */
    public static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";
    /** The special-token keys transformers passes to the template (its {@code special_tokens_map}). */
    public static final List<String> SPECIAL_TOKEN_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Map<String, String> specialTokens;
    private final JinjaEnvironment.Compiled compiled;

    private ChatTemplate(String source, Map<String, String> specialTokens) {
        this(source, specialTokens, JinjaEnvironment.compile(source));
    }

    private ChatTemplate(String source, Map<String, String> specialTokens, JinjaEnvironment.Compiled compiled) {
        this.source = source;
        this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        this.compiled = compiled;
    }

    /**
     * A template with the special tokens it may use.
     *
     * @param source the Jinja source, e.g. {@link #forPromptTemplate(String)}'s result
     * @param specialTokens e.g. {@code {"bos_token": "</s>", "eos_token": "</s>"}}; any key is passed to the template
     * @throws ChatTemplateException ({@link Reason#SYNTAX}) when it does not parse
     */
    public static ChatTemplate of(String source, Map<String, String> specialTokens) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(specialTokens, "specialTokens");
        return new ChatTemplate(source, specialTokens);
    }

    /**
     * The chat template of a parsed {@code tokenizer_config.json}, with its special tokens.
     *
     * @throws ChatTemplateException {@link Reason#MISSING} when it has no {@code chat_template} (or a list without
     *     {@code "default"}), {@link Reason#SYNTAX} when the template does not parse
     */
    public static ChatTemplate fromTokenizerConfig(JsonNode tokenizerConfig) {
        Objects.requireNonNull(tokenizerConfig, "tokenizerConfig");
        String source = templateField(tokenizerConfig)
                .orElseThrow(
                        () -> new ChatTemplateException(Reason.MISSING, "tokenizer_config.json has no chat_template"));
        return new ChatTemplate(source, specialTokens(tokenizerConfig, null));
    }

    /**
     * The chat template of a model or export directory, as transformers loads it (see the class comment); empty when
     * the directory has none.
     *
     * @throws ChatTemplateException {@link Reason#SYNTAX} when the template does not parse, {@link Reason#MISSING}
     *     when {@code chat_template} is a list without a {@code "default"} entry
     * @throws UncheckedIOException when a file exists but cannot be read or is not JSON
     */
    public static Optional<ChatTemplate> fromDirectory(Path dir) {
        Objects.requireNonNull(dir, "dir");
        JsonNode config = readJson(dir.resolve(TOKENIZER_CONFIG_FILE)).orElse(JSON.createObjectNode());
        Path jinja = dir.resolve(CHAT_TEMPLATE_FILE);
        Optional<String> source;
        try {
            source = Files.isRegularFile(jinja)
                    ? Optional.of(Files.readString(jinja, StandardCharsets.UTF_8))
                    : templateField(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jinja, e);
        }
        if (source.isEmpty()) {
            return Optional.empty();
        }
        JsonNode specialMap = config.has("added_tokens_decoder")
                ? null
                : readJson(dir.resolve(SPECIAL_TOKENS_MAP_FILE)).orElse(null);
        return Optional.of(new ChatTemplate(source.get(), specialTokens(config, specialMap)));
    }

    /**
     * This template with more (or other) special tokens: {@code tokens} are added, replacing those of the same key.
     * For a model whose files name none, e.g. the tokenizer's EOS from {@code TokenizerInfo}.
     */
    public ChatTemplate withSpecialTokens(Map<String, String> tokens) {
        Map<String, String> merged = new LinkedHashMap<>(specialTokens);
        merged.putAll(tokens);
        return new ChatTemplate(source, merged, compiled);
    }

    /** The Jinja source. */
    public String source() {
        return source;
    }

    /** The special tokens the template sees, e.g. {@code {"bos_token": "</s>", "eos_token": "</s>", ...}}. */
    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    /**
     * The conversation as text, like {@code apply_chat_template(messages, tokenize=False,
     * add_generation_prompt=addGenerationPrompt)}.
     *
     * @throws ChatTemplateException {@link Reason#RAISED} when the template calls {@code raise_exception} (the detail is
     *     its message), {@link Reason#SYNTAX} or {@link Reason#RENDER} when it cannot be evaluated
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #render(List, boolean)}, with extra template variables (transformers' {@code **kwargs}, e.g.
     * {@code {"enable_thinking": false}}); like there, they override special tokens of the same name.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(variables, "variables");
        List<Map<String, Object>> plain = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            plain.add(map);
        }
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.putAll(variables);
        bindings.put("messages", plain);
        bindings.put("tools", null);
        bindings.put("documents", null);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        return compiled.render(bindings);
    }

    /**
     * A tokenizer's special tokens under transformers' names ({@code bos_token}, {@code eos_token},
     * {@code unk_token}, {@code pad_token}, {@code mask_token}), from the roles {@link TokenizerInfo} found (its files,
     * or the GPT-2 convention for a bare {@code tokenizer.json}); for KoGPT2 {@code bos_token} = {@code eos_token} =
     * {@code </s>}, {@code pad_token} {@code <pad>}, {@code unk_token} {@code <unk>}, {@code mask_token}
     * {@code <mask>}. What an export's {@code tokenizer_config.json} needs so a template can use them.
     */
    public static Map<String, String> specialTokens(TokenizerInfo info) {
        Objects.requireNonNull(info, "info");
        Map<String, String> tokens = new LinkedHashMap<>();
        for (SpecialTokenRole role : List.of(
                SpecialTokenRole.BOS,
                SpecialTokenRole.EOS,
                SpecialTokenRole.UNK,
                SpecialTokenRole.PAD,
                SpecialTokenRole.MASK)) {
            info.token(role)
                    .map(SpecialToken::token)
                    .ifPresent(t -> tokens.put(role.name().toLowerCase(java.util.Locale.ROOT) + "_token", t));
        }
        return tokens;
    }

    /**
     * The Jinja chat template of a kotune prompt template with the notebook's EOS rule (an assistant turn ends with
     * {@code eos_token}): {@code forPromptTemplate(new PromptTemplate(promptTemplate), true)}.
     *
     * @throws dev.kotune.tokenization.InvalidInputException when {@code promptTemplate} is not a valid
     *     {@link PromptTemplate}
     */
    public static String forPromptTemplate(String promptTemplate) {
        return forPromptTemplate(new PromptTemplate(promptTemplate), true);
    }

    /**
     * The Jinja chat template that renders a conversation in the form of the training text {@code template}, e.g.
     * {@code 질문: {prompt}\n답변:{completion}}. With the template {@code PRE{prompt}MID{completion}POST}:
     *
     * <ul>
     *   <li>a {@code user} message renders as {@code PRE + content + MID}, the prompt part; so one user message
     *       {@code "배고파"} renders exactly as {@code template.renderPrompt("배고파")} = {@code "질문: 배고파\n답변:"},
     *       what {@code /v1/completions} sends for that prompt;
     *   <li>an {@code assistant} message renders as {@code content + POST} and, when {@code appendEos} (the training
     *       text's EOS), {@code eos_token}: the training text of each finished exchange;
     *   <li>a {@code system} message is allowed first only: its content and a newline come before everything (nothing
     *       when the content is empty). The model never saw one in training; this keeps it as plain context instead of
     *       refusing clients that always send one;
     *   <li>any other role, or a system message later on, is refused with {@code raise_exception} naming the message
     *       index and role;
     *   <li>{@code add_generation_prompt} adds nothing: a user turn already ends where the answer starts.
     * </ul>
     *
     * <p>The literal parts are Jinja string literals (backslash, quote, newline, CR and tab escaped), so braces or
     * Jinja syntax in the template are text. {@code conformance/chat_template_oracle.py} has the same function, and
     * the goldens check that transformers renders the result as this class does.
     */
    public static String forPromptTemplate(PromptTemplate template, boolean appendEos) {
        Objects.requireNonNull(template, "template");
        String text = template.text();
        int p = text.indexOf("{prompt}");
        int c = text.indexOf("{completion}");
        String pre = text.substring(0, p);
        String mid = text.substring(p + "{prompt}".length(), c);
        String post = text.substring(c + "{completion}".length());
        String user = concat(literal(pre), "message['content']", literal(mid));
        String assistant = concat("message['content']", literal(post), appendEos ? "eos_token" : "''");
        return "{#- kotune: the training text's template as a chat template. A system message may come first (its"
                + " content and a newline); then user turns render as the prompt part, assistant turns as completion"
                + (appendEos ? " + eos_token" : "")
                + ". add_generation_prompt adds nothing: a user turn already ends where"
                + " the answer starts. -#}\n"
                + "{%- for message in messages -%}\n"
                + "{%- if message['role'] == 'system' and loop.first -%}\n"
                + "{%- if message['content'] -%}{{- message['content'] + '\\n' -}}{%- endif -%}\n"
                + "{%- elif message['role'] == 'user' -%}\n"
                + "{{- " + user + " -}}\n"
                + "{%- elif message['role'] == 'assistant' -%}\n"
                + "{{- " + assistant + " -}}\n"
                + "{%- else -%}\n"
                + "{{- raise_exception('kotune chat template: messages[' ~ loop.index0 ~ '] has role \\'' ~ message['role']"
                + " ~ '\\'; only a first system message, then user and assistant messages are supported') -}}\n"
                + "{%- endif -%}\n"
                + "{%- endfor -%}";
    }

    private static String literal(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(ch);
            }
        }
        return b.append('\'').toString();
    }

    private static String concat(String... parts) {
        List<String> kept = new ArrayList<>();
        for (String part : parts) {
            if (!part.equals("''")) {
                kept.add(part);
            }
        }
        return String.join(" + ", kept);
    }

    /** {@code chat_template} as a string, or the {@code "default"} entry of the list form; empty when absent. */
    static Optional<String> templateField(JsonNode config) {
        JsonNode t = config.get(CHAT_TEMPLATE_FIELD);
        if (t == null || t.isNull()) {
            return Optional.empty();
        }
        if (t.isTextual()) {
            return Optional.of(t.asText());
        }
        Map<String, JsonNode> named = new LinkedHashMap<>();
        if (t.isArray()) { // HF's saved form: [{"name": ..., "template": ...}, ...]
            t.forEach(item -> named.put(item.path("name").asText(""), item.path("template")));
        } else if (t.isObject()) {
            t.fields().forEachRemaining(e -> named.put(e.getKey(), e.getValue()));
        } else {
            throw new ChatTemplateException(
                    Reason.SYNTAX,
                    "chat_template must be a string or a list of {name, template}," + " got " + t.getNodeType());
        }
        JsonNode chosen = named.get("default");
        if (chosen == null || !chosen.isTextual()) {
            throw new ChatTemplateException(
                    Reason.MISSING,
                    "tokenizer_config.json has several chat templates " + named.keySet() + " and none named 'default'");
        }
        return Optional.of(chosen.asText());
    }

    private static Map<String, String> specialTokens(JsonNode config, JsonNode specialTokensMap) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (JsonNode source : new JsonNode[] {config, specialTokensMap}) {
            if (source == null) {
                continue;
            }
            for (String key : SPECIAL_TOKEN_KEYS) {
                JsonNode v = source.get(key);
                if (v != null && v.isTextual()) {
                    tokens.put(key, v.asText());
                } else if (v != null && v.isObject() && v.path("content").isTextual()) {
                    tokens.put(key, v.path("content").asText());
                }
            }
        }
        return tokens;
    }

    private static Optional<JsonNode> readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars, special tokens " + specialTokens.keySet() + "]";
    }
}
