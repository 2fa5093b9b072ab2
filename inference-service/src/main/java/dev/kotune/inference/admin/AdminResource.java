package dev.kotune.inference.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.engine.OnnxTextGenerator;
import dev.kotune.inference.events.ExportRegistrar;
import dev.kotune.inference.models.ModelCatalog;
import dev.kotune.inference.rest.OpenAiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Model load and swap ({@code /v1/admin/models}; with keys on it needs an admin key, see
 * {@code access.RestAccess}). {@code POST} {@code {"id": "chat", "path": "exports/run-7/step-60"}} checks the export
 * (kotune.json, model.onnx, tokenizer.json and its sha256), loads it on ONNX Runtime and swaps it in for that id;
 * requests in flight finish on the old version. An export that fails any of that is refused with 422
 * ({@code export_rejected}, the reason in the message) and the old version keeps serving. {@code path} is relative
 * to {@code kotune.home} or absolute, and must lie under {@code kotune.home} or the models directory after resolving
 * symlinks and {@code ..}. {@code GET} lists each model id's served version and its last refused export. Thread-safe.
 */
@Path("/v1/admin/models")
public class AdminResource {

    /** Body of POST: the model id to serve, and the export directory. */
    public record LoadRequest(String id, String path) {}

    /** One model id's state. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelStatus(
            String id, String version, Long step, Boolean loaded, String loadedVersion, Rejected lastRejection) {}

    /** The last refused export of an id. */
    public record Rejected(String path, String reason, String at) {}

    private static final java.util.regex.Pattern MODEL_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ExportRegistrar registrar;
    private final ModelCatalog catalog;
    private final OnnxTextGenerator generator;
    private final java.nio.file.Path home;

    public AdminResource(
            ExportRegistrar registrar,
            ModelCatalog catalog,
            OnnxTextGenerator generator,
            @ConfigProperty(name = "kotune.home", defaultValue = "./.kotune/home") java.nio.file.Path home) {
        this.registrar = registrar;
        this.catalog = catalog;
        this.generator = generator;
        this.home = home.toAbsolutePath().normalize();
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> list() {
        Map<String, ModelStatus> out = new TreeMap<>();
        for (ServedModel m : catalog.list()) {
            out.put(m.id(), status(m.id(), Optional.of(m)));
        }
        registrar.rejections().keySet().forEach(id -> out.computeIfAbsent(id, k -> status(k, Optional.empty())));
        return Map.of("object", "list", "data", List.copyOf(out.values()));
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response load(LoadRequest request) {
        if (request == null || request.id() == null || request.id().isBlank()) {
            throw invalid("id", "is required: the model id to serve the export as, e.g. \"chat\"");
        }
        if (!MODEL_ID.matcher(request.id()).matches()) {
            throw invalid(
                    "id",
                    "must be 1 to 64 of [A-Za-z0-9._-] (it names the model in requests), got \""
                            + (request.id().length() > 64 ? request.id().substring(0, 64) + "..." : request.id())
                            + "\"");
        }
        if (request.path() == null || request.path().isBlank()) {
            throw invalid("path", "is required: the export directory (relative to kotune.home, or absolute)");
        }
        java.nio.file.Path dir = allowed(request.path());
        Optional<ServedModel> served = registrar.install(request.id(), dir, 0, "", true);
        if (served.isEmpty()) {
            ExportRegistrar.Rejection r = registrar.rejections().get(request.id());
            String reason = r == null ? "refused" : r.reason();
            return Response.status(422)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(OpenAiError.of(
                            "export " + request.path() + " refused, model " + request.id()
                                    + " keeps serving its current version: " + reason,
                            "invalid_request_error",
                            "path",
                            "export_rejected"))
                    .build();
        }
        return Response.ok(status(request.id(), served)).build();
    }

    private ModelStatus status(String id, Optional<ServedModel> model) {
        Optional<ServedModel> loaded = generator.current(id);
        ExportRegistrar.Rejection r = registrar.rejections().get(id);
        return new ModelStatus(
                id,
                model.map(ServedModel::version).orElse(null),
                model.map(ServedModel::step).orElse(null),
                loaded.isPresent(),
                loaded.map(ServedModel::version).orElse(null),
                r == null ? null : new Rejected(r.path(), r.reason(), r.at().toString()));
    }

    /** The export directory, if it lies under kotune.home or the models directory once symlinks are resolved. */
    private java.nio.file.Path allowed(String path) {
        java.nio.file.Path dir;
        try {
            dir = home.resolve(path).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid("path", "is not a path: " + e.getReason());
        }
        if (!Files.isDirectory(dir)) {
            throw invalid("path", "is not a directory: " + path);
        }
        try {
            java.nio.file.Path real = dir.toRealPath();
            for (java.nio.file.Path root : List.of(home, catalog.modelsDir())) {
                if (Files.exists(root) && real.startsWith(root.toRealPath())) {
                    return dir;
                }
            }
        } catch (IOException e) {
            throw invalid("path", "cannot be resolved: " + e.getClass().getSimpleName());
        }
        throw invalid(
                "path",
                "must lie under kotune.home or kotune.inference.models-dir (after resolving symlinks): " + path);
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Problem(field, message)));
    }
}
