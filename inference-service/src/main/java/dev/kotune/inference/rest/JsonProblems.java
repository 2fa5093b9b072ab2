package dev.kotune.inference.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Says what is wrong with a body Jackson could not read, in the API's words: the field (as the body spells it, e.g.
 * {@code stop_token_ids[0]}) and the JSON type it must have ("must be an integer"), or where the body stops being
 * JSON. Never Jackson's own message, which names Java classes ({@code java.lang.Integer}, the request record) and
 * parser features. Stateless.
 *
 * @param param   the field at fault; null when the body as a whole is not JSON or not an object
 * @param message what is wrong and what is allowed
 * @param code    "invalid_json" (not JSON) or "invalid_type" (JSON, wrong type)
 */
record JsonProblems(String param, String message, String code) {

    static JsonProblems of(JsonProcessingException e) {
        Throwable cause = e;
        while (cause instanceof JsonMappingException m && m.getCause() instanceof JsonProcessingException inner) {
            if (inner instanceof StreamReadException && !(inner instanceof InputCoercionException)) {
                cause = inner;
                break;
            }
            cause = inner;
        }
        String param = e instanceof JsonMappingException m ? path(m) : null;
        if (cause instanceof InputCoercionException) {
            return new JsonProblems(
                    param,
                    (param == null ? "a number" : param) + " is out of range for its type (e.g. an integer over"
                            + " 2147483647)",
                    "invalid_value");
        }
        if (cause instanceof StreamReadException s) {
            JsonLocation at = s.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return new JsonProblems(
                    null,
                    "the request body is not valid JSON" + where + ": " + clean(s.getOriginalMessage()),
                    "invalid_json");
        }
        if (param == null) {
            return new JsonProblems(
                    null,
                    "the request body is not valid JSON for this route: it must be a JSON object"
                            + (e instanceof MismatchedInputException ? "" : " (" + clean(e.getOriginalMessage()) + ")"),
                    "invalid_json");
        }
        String expected = e instanceof MismatchedInputException mi ? kind(mi.getTargetType()) : null;
        StringBuilder message = new StringBuilder(param).append(" has the wrong type");
        if (expected != null) {
            message.append(": must be ").append(expected);
        }
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            message.append(", got ").append(quoted(f.getValue()));
        }
        return new JsonProblems(param, message.toString(), "invalid_type");
    }

    private static String path(JsonMappingException m) {
        if (m.getPath().isEmpty()) {
            return null;
        }
        return m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    /** The JSON type a Java target type reads from. */
    private static String kind(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == Integer.class
                || type == int.class
                || type == Long.class
                || type == long.class
                || type == Short.class
                || type == short.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return null;
    }

    private static String quoted(Object value) {
        String s = String.valueOf(value);
        if (s.length() > 40) {
            s = s.substring(0, 40) + "...";
        }
        return value instanceof String ? "\"" + s + "\"" : s;
    }

    /** Jackson's parser message without its source location and feature names. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        String s = message;
        int source = s.indexOf(" (start marker at [Source");
        if (source >= 0) {
            s = s.substring(0, source);
        }
        source = s.indexOf("\n at [Source");
        if (source >= 0) {
            s = s.substring(0, source);
        }
        s = s.replaceAll(
                        ": enable `JsonReadFeature\\.ALLOW_NON_NUMERIC_NUMBERS` to allow",
                        " (NaN and Infinity are not JSON numbers)")
                .replaceAll("`?[A-Za-z]+(Feature|Token)\\.[A-Z_]+`?", "")
                .replaceAll("\\b(java|com|dev|io|org)\\.[a-z][\\w.$<>,]*", "a value");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
