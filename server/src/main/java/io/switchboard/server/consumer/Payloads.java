package io.switchboard.server.consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/** Checks that a payload from a row or record is one JSON value, as every push carries it unchanged. */
final class Payloads {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build();

    private Payloads() {
    }

    /** Null when {@code bytes} hold exactly one JSON value (whitespace around it allowed); else why not. */
    static String problem(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return "the payload is empty";
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() == null) {
                return "the payload is empty";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "the payload holds more than one JSON value";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "the payload is not JSON";
        }
    }

    /** The first JSON token of a value, for the field mapping; null when there is none. */
    static JsonToken first(JsonParser p) throws IOException {
        return p.nextToken();
    }
}
