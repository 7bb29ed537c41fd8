package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.Base64;

/**
 * Tells JSON payloads from binary ones (docs/protocol.md 3.6). A payload is <em>JSON</em> when its bytes are
 * exactly one JSON value in UTF-8: nothing before or after it (not even white space), and nested at most
 * {@link #MAX_DEPTH} levels, as deep as a JSON client can publish. Every
 * payload a JSON client can publish is JSON; any other bytes (which only the binary subprotocol can carry)
 * are <em>binary</em>, and reach JSON subscribers in base64 as {@code payloadBase64}. The answer depends on
 * the bytes alone, so every node, and history, agree on it without storing anything. Thread-safe.
 */
public final class JsonPayloads {

    /** The deepest payload that is JSON: what a publish can carry inside its envelope (63 of the decoder's 64 levels). */
    public static final int MAX_DEPTH = EnvelopeDecoder.DEFAULT_MAX_DEPTH - 1;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private JsonPayloads() {
    }

    /** True when {@code payload} is one JSON value in UTF-8, exactly (see the class comment). */
    public static boolean isJson(byte[] payload) {
        int n = payload.length;
        if (n == 0 || isSpace(payload[0]) || isSpace(payload[n - 1]) || !Utf8.isValid(payload)) {
            return false;
        }
        try (JsonParser p = FACTORY.createParser(payload)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else {
                p.finishToken();
            }
            return p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false; // malformed, too deep, or trailing data: binary
        }
    }

    /** Standard base64 with padding (RFC 4648 section 4), as {@code payloadBase64} carries it. */
    public static String base64(byte[] payload) {
        return Base64.getEncoder().encodeToString(payload);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** A strict UTF-8 check: no overlong forms, no surrogates, nothing above U+10FFFF. */
    static final class Utf8 {
        private Utf8() {
        }

        static boolean isValid(byte[] b) {
            int i = 0;
            int n = b.length;
            while (i < n) {
                int c = b[i] & 0xFF;
                if (c < 0x80) {
                    i++;
                    continue;
                }
                int need;
                int min;
                if (c >= 0xC2 && c <= 0xDF) {
                    need = 1;
                    min = 0x80;
                } else if (c >= 0xE0 && c <= 0xEF) {
                    need = 2;
                    min = 0x800;
                } else if (c >= 0xF0 && c <= 0xF4) {
                    need = 3;
                    min = 0x10000;
                } else {
                    return false;
                }
                if (i + need >= n) {
                    return false;
                }
                int cp = c & (0x3F >> need);
                for (int k = 1; k <= need; k++) {
                    int cc = b[i + k] & 0xFF;
                    if ((cc & 0xC0) != 0x80) {
                        return false;
                    }
                    cp = (cp << 6) | (cc & 0x3F);
                }
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                    return false;
                }
                i += need + 1;
            }
            return true;
        }
    }
}
