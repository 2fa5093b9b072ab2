package dev.kotune.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.kotune.engine.QueueFullException;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelMemoryBudgetException;
import dev.kotune.inference.domain.ModelNotFoundException;
import dev.kotune.inference.domain.ModelUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps failures to HTTP statuses with OpenAI's error body, so bad input is never a 500: invalid values 400
 * ({@code param} = the field), malformed or mistyped JSON 400, unknown model 404, queue full 429 (with
 * {@code Retry-After}), no model loaded 503 ({@code model_unavailable}), an export that cannot be served 503
 * ({@code model_invalid}), JAX-RS errors (404 route, 405, 415) keep their status, anything else 500 without
 * internals. Stateless.
 */
public class RestErrorMappers {

    private static final Logger LOG = Logger.getLogger(RestErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return respond(400, body(e));
    }

    @ServerExceptionMapper
    public Response notFound(ModelNotFoundException e) {
        return respond(404, body(e));
    }

    @ServerExceptionMapper
    public Response unavailable(ModelUnavailableException e) {
        if (e instanceof ModelMemoryBudgetException b) {
            return Response.status(503)
                    .type(MediaType.APPLICATION_JSON)
                    .header("Retry-After", Integer.toString(b.retryAfterSeconds()))
                    .entity(body(e))
                    .build();
        }
        return respond(503, body(e));
    }

    @ServerExceptionMapper
    public Response invalidModel(ModelInvalidException e) {
        return respond(503, body(e));
    }

    @ServerExceptionMapper
    public Response queueFull(QueueFullException e) {
        return Response.status(429)
                .type(MediaType.APPLICATION_JSON)
                .header("Retry-After", Integer.toString(e.retryAfterSeconds()))
                .entity(body(e))
                .build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        JsonProblems p = JsonProblems.of(e); // the field and the JSON type, never Jackson's class names
        return respond(400, OpenAiError.of(p.message(), "invalid_request_error", p.param(), p.code()));
    }

    /** Jackson's own mapper for this subtype would answer an empty 400; this one says which field. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException cause) {
            // Quarkus REST wraps a body that does not parse in a 400 BadRequestException.
            return json(cause);
        }
        int status = e.getResponse().getStatus();
        return respond(
                status,
                OpenAiError.of(e.getMessage(), status >= 500 ? "server_error" : "invalid_request_error", null, null));
    }

    /**
     * A body that could not be read: a chunked body over {@code quarkus.http.limits.max-body-size} (Quarkus has already
     * answered 413 and closes the connection; one with a Content-Length is refused earlier, by access.RestAccess, with
     * this body) or a client that went away mid-body. Not a server failure.
     */
    @ServerExceptionMapper
    public Response unreadable(java.io.IOException e) {
        boolean tooLarge = "Request too large".equals(e.getMessage());
        LOG.debugf("request body not read: %s", e.getMessage());
        return respond(
                tooLarge ? 413 : 400,
                OpenAiError.of(
                        tooLarge
                                ? "the request body is over the limit (quarkus.http.limits.max-body-size)"
                                : "the request body could not be read",
                        "invalid_request_error",
                        "body",
                        tooLarge ? "request_too_large" : "unreadable_body"));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure", e);
        return respond(
                500,
                OpenAiError.of("internal error (" + e.getClass().getSimpleName() + ")", "server_error", null, null));
    }

    /** The OpenAI error body for a domain failure (also written in-band into a failing stream). */
    static OpenAiError body(Throwable e) {
        if (e instanceof InvalidRequestException i) {
            return OpenAiError.of(i.getMessage(), "invalid_request_error", i.field(), "invalid_value");
        }
        if (e instanceof ModelNotFoundException m) {
            return OpenAiError.of(m.getMessage(), "invalid_request_error", "model", "model_not_found");
        }
        if (e instanceof ModelMemoryBudgetException b) {
            return OpenAiError.of(b.getMessage(), "server_error", "model", "model_memory_budget");
        }
        if (e instanceof ModelUnavailableException u) {
            return OpenAiError.of(u.getMessage(), "server_error", null, "model_unavailable");
        }
        if (e instanceof ModelInvalidException m) {
            return OpenAiError.of(m.getMessage(), "server_error", "model", "model_invalid");
        }
        if (e instanceof QueueFullException q) {
            return OpenAiError.of(q.getMessage(), "rate_limit_error", null, "queue_full");
        }
        return OpenAiError.of("internal error (" + e.getClass().getSimpleName() + ")", "server_error", null, null);
    }

    private static Response respond(int status, OpenAiError body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(body)
                .build();
    }
}
