package io.switchboard.client;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Helpers for small JSON payloads, so that simple programs need no JSON library. Payloads are JSON text;
 * applications with richer data use their own JSON library and pass its output to
 * {@link SwitchboardClient#publish(String, String)}. Stateless; thread-safe.
 */
public final class Payloads {

    private Payloads() {
    }

    /** A JSON string literal for {@code text}, quoted and escaped. */
    public static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, b);
        return b.append('"').toString();
    }

    /**
     * A JSON object of string fields from alternating names and values, e.g.
     * {@code Payloads.object("text", "hi", "name", "bot")} gives {@code {"text":"hi","name":"bot"}}.
     * A null value writes {@code null}.
     */
    public static String object(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(quote(namesAndValues[i])).append(':');
            b.append(namesAndValues[i + 1] == null ? "null" : quote(namesAndValues[i + 1]));
        }
        return b.append('}').toString();
    }

    /**
     * The string value of a top-level field of a JSON object, or null when {@code json} is not an object,
     * lacks the field, or the field is not a string.
     */
    public static String stringField(String json, String field) {
        try {
            JsonTree.Node n = JsonTree.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return n.isObject() ? n.string(field) : null;
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }
}
