package dev.kotune.inference.rest;

import dev.kotune.inference.TextGenerator;
import dev.kotune.inference.models.ModelCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/models}: the models directory in OpenAI's list shape, with {@code loaded} (whether in memory now). Thread-safe. */
@Path("/v1/models")
public class ModelsResource {

    private final ModelCatalog catalog;
    private final TextGenerator generator;

    public ModelsResource(ModelCatalog catalog, TextGenerator generator) {
        this.catalog = catalog;
        this.generator = generator;
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    public OpenAiModels list() {
        return new OpenAiModels(
                "list",
                catalog.list().stream()
                        .map(m -> new OpenAiModels.Entry(
                                m.id(),
                                "model",
                                m.created().getEpochSecond(),
                                "kotune",
                                generator.loadedAt(m.id()).isPresent()))
                        .toList());
    }
}
