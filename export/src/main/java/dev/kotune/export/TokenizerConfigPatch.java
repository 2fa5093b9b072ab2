package dev.kotune.export;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The export's {@code tokenizer_config.json} with a chat template, the way transformers stores one: the source file's
 * fields in their order, {@code chat_template} set (replacing the source's), and the given special tokens added
 * where the file has no such key. Without a source file: a minimal {@code PreTrainedTokenizerFast} config (the
 * special tokens, {@code model_max_length}, the template). UTF-8 JSON, two-space indent, final line break.
 *
 * <p>Stateless, thread-safe.
 */
final class TokenizerConfigPatch {

    static final String CHAT_TEMPLATE = "chat_template";
    /** transformers' special-token keys, in its order (the order new keys are written in). */
    private static final List<String> SPECIAL_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private TokenizerConfigPatch() {}

    /**
     * @param source         the tokenizer's {@code tokenizer_config.json}, or null when it has none
     * @param chatTemplate   the Jinja template
     * @param specialTokens  e.g. {@code {"eos_token": "</s>"}}, added where missing
     * @param modelMaxLength for a new file, e.g. the model's {@code n_positions}
     * @throws IOException when {@code source} cannot be read or is not a JSON object
     */
    static byte[] write(Path source, String chatTemplate, Map<String, String> specialTokens, int modelMaxLength)
            throws IOException {
        ObjectNode config;
        if (source != null) {
            JsonNode parsed = ExportMetadata.MAPPER.readTree(source.toFile());
            if (!(parsed instanceof ObjectNode o)) {
                throw new IOException(source + " is not a JSON object");
            }
            config = o;
        } else {
            config = ExportMetadata.MAPPER.createObjectNode();
            config.put("tokenizer_class", "PreTrainedTokenizerFast");
        }
        List<String> keys = new ArrayList<>(specialTokens.keySet());
        keys.sort(Comparator.comparingInt(
                        (String k) -> SPECIAL_KEYS.contains(k) ? SPECIAL_KEYS.indexOf(k) : SPECIAL_KEYS.size())
                .thenComparing(Comparator.naturalOrder()));
        for (String key : keys) {
            JsonNode present = config.get(key);
            if (present == null || present.isNull()) {
                config.put(key, specialTokens.get(key));
            }
        }
        if (source == null) {
            config.put("model_max_length", modelMaxLength);
        }
        config.put(CHAT_TEMPLATE, chatTemplate);
        String json = ExportMetadata.MAPPER.writer(PRINTER).writeValueAsString(config);
        return (json + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
