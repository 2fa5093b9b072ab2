package dev.kotune.export;

/** File names inside an export directory (what the engine and ORT GenAI look for). */
public final class ExportFiles {

    public static final String MODEL = "model.onnx";
    public static final String MODEL_DATA = "model.onnx.data";
    /** Sidecar metadata: the checkpoint's kotune.json fields plus an {@code onnx} object. */
    public static final String KOTUNE_JSON = "kotune.json";

    public static final String GENAI_CONFIG = "genai_config.json";
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String TOKENIZER = "tokenizer.json";
    /** The tokenizer config; with a chat template option it carries {@code chat_template}. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** transformers 5's separate chat template file (wins over tokenizer_config.json's when present). */
    public static final String CHAT_TEMPLATE_JINJA = "chat_template.jinja";
    /** Tokenizer files copied when present next to tokenizer.json. */
    public static final java.util.List<String> TOKENIZER_FILES = java.util.List.of(
            "tokenizer.json",
            TOKENIZER_CONFIG,
            "special_tokens_map.json",
            "vocab.json",
            "merges.txt",
            CHAT_TEMPLATE_JINJA);

    private ExportFiles() {}
}
