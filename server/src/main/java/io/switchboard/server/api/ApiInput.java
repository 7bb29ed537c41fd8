package io.switchboard.server.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.switchboard.protocol.ErrorCode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Reading a server-API request: its JSON body, its fields and query parameters, each wrong one
 * refused with an {@link ApiException} that names it. Payloads keep their numbers exact (decimals
 * are read as BigDecimal and written back with their digits).
 */
final class ApiInput {

    private ApiInput() {
    }

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw bad("the request needs a JSON object body");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad("the body is not valid JSON: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw bad("the body cannot be read: " + clip(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw bad("the body must be a JSON object");
        }
        return n;
    }

    static byte[] payloadBytes(JsonNode payload) {
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw bad("payload cannot be encoded: " + e.getMessage());
        }
    }

    static String text(JsonNode n, String field) {
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw bad(field + " must be a non-empty string");
        }
        return n.asText();
    }

    static String optionalText(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        return text(n, field);
    }

    static String param(Map<String, List<String>> query, String name, boolean required) {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty() || v.get(0).isEmpty()) {
            if (required) {
                throw bad("query parameter " + name + " is required");
            }
            return null;
        }
        return v.get(0);
    }

    static long number(Map<String, List<String>> query, String name, long dflt, long min, long max) {
        String v = param(query, name, false);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw bad(name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(name + " must be an integer");
        }
    }

    static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, 405, "this endpoint takes " + expected + ", not " + method);
        }
    }

    static ApiException bad(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }

    static String clip(String s) {
        return s == null ? "null" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
