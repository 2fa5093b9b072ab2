package dev.kotune.export.gpt2;

/**
 * Input/output names and symbolic dimensions of the decoder graph, identical to Hugging Face Optimum's
 * {@code text-generation-with-past} export (what ORT GenAI's {@code genai_config.json} and the engine refer to).
 */
public final class OnnxNames {

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";
    public static final String LOGITS = "logits";
    /** HF's {@code logits_to_keep}: int64 (1,), 0 = every position, k = the last k (kotune exports; not Optimum's). */
    public static final String LOGITS_TO_KEEP = "logits_to_keep";
    /** {@code String.format} patterns with the layer index, as genai_config.json spells them. */
    public static final String PAST_KEY = "past_key_values.%d.key";

    public static final String PAST_VALUE = "past_key_values.%d.value";
    public static final String PRESENT_KEY = "present.%d.key";
    public static final String PRESENT_VALUE = "present.%d.value";

    public static final String BATCH = "batch_size";
    public static final String SEQUENCE = "sequence_length";
    public static final String PAST_SEQUENCE = "past_sequence_length";
    public static final String TOTAL_SEQUENCE = "total_sequence_length";
    /** Positions with logits: sequence_length, or logits_to_keep when it is not 0. */
    public static final String LOGITS_SEQUENCE = "logits_sequence_length";

    private OnnxNames() {}

    public static String pastKey(int layer) {
        return String.format(PAST_KEY, layer);
    }

    public static String pastValue(int layer) {
        return String.format(PAST_VALUE, layer);
    }

    public static String presentKey(int layer) {
        return String.format(PRESENT_KEY, layer);
    }

    public static String presentValue(int layer) {
        return String.format(PRESENT_VALUE, layer);
    }
}
