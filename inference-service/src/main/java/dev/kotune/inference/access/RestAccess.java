package dev.kotune.inference.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.inference.rest.OpenAiError;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The REST edge's gate, a Vert.x route handler that runs before any body is read (before Quarkus' own body limit):
 * with keys on ({@link ApiKeys}), every route but {@code /q/health*} and {@code /q/metrics} needs
 * {@code Authorization: Bearer <key>} (401, OpenAI's {@code invalid_api_key} body, {@code WWW-Authenticate: Bearer}),
 * and {@code /v1/admin/*} an admin key (403 {@code admin_key_required} with an API key); a body whose Content-Length
 * is over {@code quarkus.http.limits.max-body-size} is refused with 413 and OpenAI's error body (Quarkus alone would
 * answer an empty 413; a chunked body over the limit is cut by Quarkus while it is read). Stateless, thread-safe.
 */
@ApplicationScoped
public class RestAccess {

    /** Runs before Quarkus' upload limit handler (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT = -2). */
    static final int ORDER = -3;

    static final String ADMIN_PREFIX = "/v1/admin";

    private final ApiKeys keys;
    private final ObjectMapper json;
    private final long maxBodySize;

    public RestAccess(
            ApiKeys keys,
            ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.keys = keys;
        this.json = json;
        this.maxBodySize = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    /** Health and metrics stay open for probes and scrapers. */
    static boolean open(String path) {
        return path.equals("/q/health")
                || path.startsWith("/q/health/")
                || path.equals("/q/metrics")
                || path.startsWith("/q/metrics/");
    }

    void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (open(path)) {
            ctx.next();
            return;
        }
        if (authorized(ctx, path) && lengthAllowed(ctx)) {
            ctx.next();
        }
    }

    /** The key check: true when the request may go on, else it has been refused (401 or 403). */
    private boolean authorized(RoutingContext ctx, String path) {
        ApiKeys.Access access = keys.access(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (access == ApiKeys.Access.NONE) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(
                    ctx,
                    401,
                    OpenAiError.of(
                            "missing or wrong API key: send Authorization: Bearer <key> with a key of"
                                    + " kotune.inference.api-keys-file",
                            "invalid_request_error",
                            "authorization",
                            "invalid_api_key"));
            return false;
        }
        if (access != ApiKeys.Access.ADMIN && (path.equals(ADMIN_PREFIX) || path.startsWith(ADMIN_PREFIX + "/"))) {
            refuse(
                    ctx,
                    403,
                    OpenAiError.of(
                            "model load and swap need an admin key (kotune.inference.admin-keys-file), not an API key",
                            "permission_error",
                            "authorization",
                            "admin_key_required"));
            return false;
        }
        return true;
    }

    /**
     * The Content-Length check: true when there is none or it is within the limit, else the request has been refused
     * (400 for a malformed length, 413 over the limit).
     */
    private boolean lengthAllowed(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return true;
        }
        long bytes = contentLength(length);
        if (bytes < 0) {
            refuse(
                    ctx,
                    400,
                    OpenAiError.of(
                            "Content-Length must be a non-negative integer", "invalid_request_error", null, null));
            return false;
        }
        if (bytes > maxBodySize) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            refuse(
                    ctx,
                    413,
                    OpenAiError.of(
                            "the request body is " + bytes + " bytes, over the limit of " + maxBodySize
                                    + " bytes (quarkus.http.limits.max-body-size)",
                            "invalid_request_error",
                            "body",
                            "request_too_large"));
            return false;
        }
        return true;
    }

    /** The header's value in bytes, or -1 when it is not a number. */
    private static long contentLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void refuse(RoutingContext ctx, int status, OpenAiError error) {
        String body;
        try {
            body = json.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            body = "{\"error\":{\"message\":\"refused\",\"type\":\"invalid_request_error\"}}";
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
