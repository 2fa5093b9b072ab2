package dev.kotune.tokenization.train;

import java.util.List;
import java.util.Map;

/**
 * Writes a JSON tree (LinkedHashMap objects, List arrays, String, Integer/Long, Boolean, null) byte for byte as
 * Rust's {@code serde_json::to_string_pretty} does, which is what Hugging Face tokenizers' {@code save} writes:
 * two-space indent, {@code "key": value}, one array element per line, {@code {}}/{@code []} when empty, no final
 * line break; strings escape only the quote, the backslash and control characters (backspace, tab, line feed, form
 * feed and carriage return as two-character escapes, the others as lowercase four-digit unicode
 * escapes); everything else, non-ASCII included, is written as is.
 *
 * <p>Stateless, thread-safe.
 */
final class PrettyJson {
    private PrettyJson() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder(1 << 16);
        write(out, value, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int level) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "\n" : ",\n");
                first = false;
                indent(out, level + 1);
                string(out, (String) e.getKey());
                out.append(": ");
                write(out, e.getValue(), level + 1);
            }
            out.append('\n');
            indent(out, level);
            out.append('}');
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object element : list) {
                out.append(first ? "\n" : ",\n");
                first = false;
                indent(out, level + 1);
                write(out, element, level + 1);
            }
            out.append('\n');
            indent(out, level);
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }

    private static void indent(StringBuilder out, int level) {
        for (int i = 0; i < level; i++) {
            out.append("  ");
        }
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
