package dev.kotune.inference.rest;

import dev.kotune.inference.models.ModelCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/models}: the models directory in OpenAI's list shape. Thread-safe. */
@Path("/v1/models")
public class ModelsResource {

    private final ModelCatalog catalog;

    public ModelsResource(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    public OpenAiModels list() {
        return new OpenAiModels(
                "list",
                catalog.list().stream()
                        .map(m -> new OpenAiModels.Entry(
                                m.id(), "model", m.created().getEpochSecond(), "kotune"))
                        .toList());
    }
}
