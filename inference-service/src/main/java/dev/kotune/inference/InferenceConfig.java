package dev.kotune.inference;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Settings of the inference service ({@code kotune.inference.*}). Immutable, thread-safe. */
@ConfigMapping(prefix = "kotune.inference")
public interface InferenceConfig {

    /**
     * Directory of servable models: each subdirectory holding a {@code kotune.json} is one model whose id is the
     * subdirectory's name (an export: model.onnx, genai_config.json, tokenizer.json, kotune.json). Read on every
     * listing, so new exports show up without a restart.
     */
    @WithDefault("./.kotune/home/models")
    Path modelsDir();

    /** Id of the model used when a request names none; unset = the first model by id. */
    Optional<String> defaultModel();
}
