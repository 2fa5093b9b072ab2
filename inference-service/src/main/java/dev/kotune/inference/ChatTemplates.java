package dev.kotune.inference;

import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.tokenization.chat.ChatMessage;
import dev.kotune.tokenization.chat.ChatTemplate;
import dev.kotune.tokenization.chat.ChatTemplateException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a conversation into a prompt with the model's own chat template, stored the Hugging Face way
 * ({@code chat_template} in the export's {@code tokenizer_config.json}, or {@code chat_template.jinja}), on Jinjava
 * with HF's semantics (kotune-tokenization's {@link ChatTemplate}). Each version of a model is read and compiled once.
 * A model without a template, or a conversation its template refuses, is a 400 naming {@code messages}. Thread-safe.
 */
@ApplicationScoped
public class ChatTemplates {

    private final Map<String, Optional<ChatTemplate>> templates = new ConcurrentHashMap<>();

    /**
     * The prompt for {@code messages} with the generation prompt added (the template's assistant turn opener).
     *
     * @throws InvalidRequestException when the model has no template or the template refuses the conversation
     */
    public String render(ServedModel model, List<ChatMessage> messages) {
        return render(model, messages, true);
    }

    /**
     * The prompt for {@code messages}; {@code addGenerationPrompt} adds the template's assistant turn opener.
     *
     * @throws InvalidRequestException when the model has no template or the template refuses the conversation
     */
    public String render(ServedModel model, List<ChatMessage> messages, boolean addGenerationPrompt) {
        ChatTemplate template = templates
                .computeIfAbsent(
                        model.directory() + "@" + model.created(), k -> ChatTemplate.fromDirectory(model.directory()))
                .orElseThrow(() -> new InvalidRequestException(List.of(new Problem(
                        "messages",
                        "cannot be rendered: model " + model.id() + " has no chat"
                                + " template (chat_template in its tokenizer_config.json); use /v1/completions with"
                                + " a prompt, or export the model with one (kotune exports of training jobs carry"
                                + " their prompt template)"))));
        try {
            return template.render(messages, addGenerationPrompt);
        } catch (ChatTemplateException e) {
            throw new InvalidRequestException(List.of(new Problem(
                    "messages",
                    "cannot be rendered with the chat" + " template of model " + model.id() + ": " + e.getMessage())));
        }
    }
}
