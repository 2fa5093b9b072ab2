package dev.kotune.tokenization.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import dev.kotune.tokenization.chat.ChatTemplateException.Reason;
import java.util.List;
import java.util.Map;

/**
 * The Jinja environment transformers renders chat templates in, on Jinjava: jinja2's
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with the global
 * {@code raise_exception(message)} (here: {@link ChatTemplateException} with {@link Reason#RAISED}). Jinja2 semantics
 * Jinjava needs switching on: its "legacy overrides" (Jinja2 operator precedence, whitespace control, backslashes
 * only inside quotes, Python-like rendering of lists and maps) and no trailing newline kept. Template text is never
 * rendered twice (no nested interpretation), so data that looks like Jinja stays text. Output is capped at
 * {@link #MAX_OUTPUT_CHARS}.
 *
 * <p>Known differences from jinja2 (none used by the templates kotune writes): {@code ==} / {@code !=} coerce
 * between types as Java EL does ({@code '' != false} is false; Python: true), booleans print as {@code true} /
 * {@code false} (Python: {@code True}), Python-only string methods ({@code startswith}, ...) are missing (those Java
 * shares, like {@code strip} and {@code split}, work), {@code for ... if ...} filters are ignored, {@code tojson} writes
 * no spaces, string {@code *} repetition and backslash-u escapes in string literals are not supported.
 *
 * <p>Stateless, thread-safe (one shared Jinjava; each render gets its own interpreter and context).
 */
final class JinjaEnvironment {
    /** Longest rendered text accepted: far above any context window, far below a memory problem. */
    static final long MAX_OUTPUT_CHARS = 4_000_000;

    private static final JinjavaConfig CONFIG = JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withKeepTrailingNewline(false)
            .withLegacyOverrides(LegacyOverrides.newBuilder()
                    .withEvaluateMapKeys(true)
                    .withIterateOverMapKeys(true)
                    .withUsePyishObjectMapper(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withAllowAdjacentTextNodes(true)
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withKeepNullableLoopValues(true)
                    .withHandleBackslashInQuotesOnly(true)
                    .withDefaultKeepTrailingNewlineBehavior(false)
                    // not withWhitespaceRequiredWithinTokens: it stops "{%-" and "{{-" from opening a tag
                    .build())
            .withNestedInterpretationEnabled(false)
            .withFailOnUnknownTokens(false)
            .withMaxOutputSize(MAX_OUTPUT_CHARS)
            .build();
    private static final Jinjava JINJAVA = new Jinjava(CONFIG);

    static {
        JINJAVA.getGlobalContext()
                .registerFunction(new ELFunctionDefinition(
                        "", "raise_exception", JinjaEnvironment.class, "raiseException", Object.class));
    }

    private JinjaEnvironment() {}

    /** A parsed template: the node tree is only read while rendering, so one is shared by all threads. */
    record Compiled(Node root) {
        String render(Map<String, Object> bindings) {
            JinjavaInterpreter interpreter = newInterpreter(bindings);
            JinjavaInterpreter.pushCurrent(interpreter);
            try {
                String out = interpreter.render(root, false);
                failOnErrors(interpreter.getErrors(), Reason.RENDER);
                return out;
            } catch (ChatTemplateException e) {
                throw e;
            } catch (RuntimeException e) {
                Raised raised = raisedCause(e);
                if (raised != null) {
                    throw new ChatTemplateException(Reason.RAISED, raised.getMessage());
                }
                throw new ChatTemplateException(Reason.RENDER, String.valueOf(e.getMessage()), e);
            } finally {
                JinjavaInterpreter.popCurrent();
            }
        }
    }

    /**
     * Parses {@code source}.
     *
     * @throws ChatTemplateException ({@link Reason#SYNTAX}) for unbalanced tags and other errors the parser finds
     */
    static Compiled compile(String source) {
        JinjavaInterpreter interpreter = newInterpreter(Map.of());
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node root = interpreter.parse(source);
            failOnErrors(interpreter.getErrors(), Reason.SYNTAX);
            return new Compiled(root);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException(Reason.SYNTAX, String.valueOf(e.getMessage()), e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    /** The template's {@code raise_exception(message)}: stops rendering with that message. */
    public static Object raiseException(Object message) {
        throw new Raised(String.valueOf(message));
    }

    private static JinjavaInterpreter newInterpreter(Map<String, ?> bindings) {
        Context context = new Context(JINJAVA.getGlobalContextCopy(), bindings, CONFIG.getDisabled());
        return new JinjavaInterpreter(JINJAVA, context, CONFIG);
    }

    private static void failOnErrors(List<TemplateError> errors, Reason otherwise) {
        for (TemplateError error : errors) {
            Raised raised = raisedCause(error.getException());
            if (raised != null) {
                throw new ChatTemplateException(Reason.RAISED, raised.getMessage());
            }
        }
        for (TemplateError error : errors) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                Reason reason = error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR ? Reason.SYNTAX : otherwise;
                throw new ChatTemplateException(reason, describe(error), error.getException());
            }
        }
    }

    private static String describe(TemplateError error) {
        String where = error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "";
        return error.getMessage() + where;
    }

    private static Raised raisedCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof Raised r) {
                return r;
            }
        }
        return null;
    }

    /** Thrown by {@code raise_exception}; carries the template's message out through Jinjava. */
    static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message, null, false, false);
        }
    }
}
