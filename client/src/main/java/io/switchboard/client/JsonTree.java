package io.switchboard.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON tree read with jackson-core's streaming parser (the one JSON library the protocol module
 * already brings), for the few server payloads the client must look into: {@code welcome}, acks, history
 * and presence. Every node remembers the bytes it was read from, so a message payload inside a history
 * page is handed on exactly as the server sent it. Immutable once parsed; thread-safe.
 */
final class JsonTree {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonTree() {
    }

    /** Parses one JSON value; throws {@link IllegalArgumentException} when the bytes are not exactly that. */
    static Node parse(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("empty JSON");
            }
            Node n = read(p, t, json);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the JSON value");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("not well-formed JSON: " + why(e), e);
        }
    }

    /** Checks that {@code json} is exactly one well-formed JSON value, as the server requires of a payload. */
    static void validate(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("the payload is empty; send JSON such as {} or \"text\"");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("the payload has data after its JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the payload is not well-formed JSON: " + why(e), e);
        }
    }

    private static String why(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    private static Node read(JsonParser p, JsonToken t, byte[] src) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        Node n = new Node(t, src, start);
        switch (t) {
            case START_OBJECT -> {
                n.fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    n.fields.put(name, read(p, p.nextToken(), src));
                }
            }
            case START_ARRAY -> {
                n.items = new ArrayList<>();
                JsonToken it;
                while ((it = p.nextToken()) != JsonToken.END_ARRAY) {
                    n.items.add(read(p, it, src));
                }
            }
            case VALUE_STRING -> n.scalar = p.getText();
            case VALUE_NUMBER_INT -> n.scalar = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? null : p.getLongValue();
            case VALUE_NUMBER_FLOAT -> n.scalar = p.getDoubleValue();
            case VALUE_TRUE -> n.scalar = Boolean.TRUE;
            case VALUE_FALSE -> n.scalar = Boolean.FALSE;
            default -> n.scalar = null;
        }
        p.finishToken();
        n.end = (int) p.currentLocation().getByteOffset();
        return n;
    }

    /** One JSON value. Accessors return null (or the given default) when a field is absent or of another type. */
    static final class Node {
        private final JsonToken kind;
        private final byte[] src;
        private final int start;
        private int end;
        private Map<String, Node> fields;
        private List<Node> items;
        private Object scalar;

        private Node(JsonToken kind, byte[] src, int start) {
            this.kind = kind;
            this.src = src;
            this.start = start;
        }

        boolean isObject() {
            return kind == JsonToken.START_OBJECT;
        }

        Node get(String field) {
            return fields == null ? null : fields.get(field);
        }

        List<Node> items() {
            return items == null ? List.of() : items;
        }

        String string(String field) {
            Node n = get(field);
            return n != null && n.scalar instanceof String s ? s : null;
        }

        /** This value when it is a string, else null. */
        String text() {
            return scalar instanceof String s ? s : null;
        }

        Long longValue(String field) {
            Node n = get(field);
            return n != null && n.scalar instanceof Long l ? l : null;
        }

        long longValue(String field, long fallback) {
            Long l = longValue(field);
            return l == null ? fallback : l;
        }

        Boolean bool(String field) {
            Node n = get(field);
            return n != null && n.scalar instanceof Boolean b ? b : null;
        }

        /** The value exactly as it appeared in the source. */
        byte[] raw() {
            return Arrays.copyOfRange(src, start, end);
        }

        String rawText() {
            return new String(src, start, end - start, StandardCharsets.UTF_8);
        }
    }
}
