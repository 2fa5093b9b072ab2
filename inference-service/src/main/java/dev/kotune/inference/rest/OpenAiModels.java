package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code GET /v1/models} body, OpenAI's shape: {@code {"object": "list", "data": [{"id", "object": "model",
 * "created", "owned_by": "kotune", "loaded"}]}} ({@code loaded}: kotune's extension). Immutable.
 *
 * @param object always "list"
 * @param data   the models, default first
 */
public record OpenAiModels(String object, List<Entry> data) {

    /**
     * One model.
     *
     * @param id      model id, e.g. "kogpt2-notebook"
     * @param object  always "model"
     * @param created Unix seconds when it was exported (kotune.json's modification time)
     * @param ownedBy always "kotune"
     * @param loaded  kotune's extension: whether the model is in memory now (false: its next request loads it and
     *                waits for the load, e.g. after an unload under kotune.inference.models-memory-budget)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Entry(String id, String object, long created, String ownedBy, boolean loaded) {}
}
