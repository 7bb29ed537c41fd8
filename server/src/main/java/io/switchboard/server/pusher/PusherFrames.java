package io.switchboard.server.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.util.Json;
import java.io.IOException;

/**
 * The JSON of the Pusher protocol: decoding what a client sends, encoding what it gets. A client frame is
 * one object with a string {@code event}, an optional string {@code channel}, and {@code data}, which may be
 * an object or a string holding JSON (both are accepted); every frame the node sends carries {@code data}
 * as a string of JSON, as the protocol has it (except {@code pusher:error}, whose data is an object).
 */
final class PusherFrames {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One decoded client frame. {@code data} is null when absent; a string holding JSON is parsed when needed. */
    record Frame(String event, String channel, JsonNode data) {

        /** {@code data} as an object: as sent, or parsed from a string; null when it is neither. */
        JsonNode dataObject() {
            if (data != null && data.isObject()) {
                return data;
            }
            if (data != null && data.isTextual()) {
                try {
                    JsonNode parsed = MAPPER.readTree(data.textValue());
                    return parsed != null && parsed.isObject() ? parsed : null;
                } catch (JsonProcessingException e) {
                    return null;
                }
            }
            return null;
        }

        /** {@code data} as the string that goes out: a string as it is, anything else as its JSON. */
        String dataText() {
            if (data == null || data.isNull()) {
                return null;
            }
            return data.isTextual() ? data.textValue() : data.toString();
        }
    }

    /** A frame that is not a Pusher event; the message is for the client. */
    static final class BadFrame extends Exception {
        BadFrame(String message) {
            super(message, null, false, false);
        }
    }

    private PusherFrames() {
    }

    /** Decodes one text frame; never throws anything but {@link BadFrame}. */
    static Frame decode(byte[] text) throws BadFrame {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            throw new BadFrame("the frame is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadFrame("the frame must be a JSON object with an event");
        }
        JsonNode event = root.get("event");
        if (event == null || !event.isTextual() || event.textValue().isEmpty()) {
            throw new BadFrame("the frame has no event (a string)");
        }
        JsonNode channel = root.get("channel");
        if (channel != null && !channel.isNull() && !channel.isTextual()) {
            throw new BadFrame("channel must be a string");
        }
        return new Frame(event.textValue(), channel == null || channel.isNull() ? null : channel.textValue(), root.get("data"));
    }

    /** Parses JSON text; null when it is not JSON. */
    static JsonNode parse(String json) {
        try {
            return json == null ? null : MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** {@code {"event":E,"channel":C,"data":D}} with {@code data} a string (omitted when null); channel omitted when null. */
    static byte[] event(String event, String channel, String data) {
        return Json.object(g -> {
            g.writeStringField("event", event);
            if (channel != null) {
                g.writeStringField("channel", channel);
            }
            if (data != null) {
                g.writeStringField("data", data);
            }
        });
    }

    /** An event whose data is the JSON written by {@code fields}, sent as a string. */
    static byte[] event(String event, String channel, Json.Fields fields) {
        return event(event, channel, new String(Json.object(fields), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code pusher:error} with its data as an object: {@code code} (null when the protocol has none) and {@code message}. */
    static byte[] error(Integer code, String message) {
        return Json.object(g -> {
            g.writeStringField("event", "pusher:error");
            g.writeObjectFieldStart("data");
            if (code == null) {
                g.writeNullField("code");
            } else {
                g.writeNumberField("code", code);
            }
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    /** {@code pusher:subscription_error} for one channel, in the form pusher-js reports to the channel's listeners. */
    static byte[] subscriptionError(String channel, int status, String type, String message) {
        return Json.object(g -> {
            g.writeStringField("event", "pusher:subscription_error");
            g.writeStringField("channel", channel);
            g.writeObjectFieldStart("data");
            g.writeStringField("type", type);
            g.writeStringField("error", message);
            g.writeNumberField("status", status);
            g.writeEndObject();
        });
    }

    /**
     * The payload a Pusher event is published with on the node's channel: {@code {"event", "data", "user_id"?}},
     * {@code data} a string (or absent). {@link PusherSubscription} turns it back into the event.
     */
    static byte[] payload(String event, String data, String userId) {
        return Json.object(g -> {
            g.writeStringField("event", event);
            if (data != null) {
                g.writeStringField("data", data);
            }
            if (userId != null) {
                g.writeStringField("user_id", userId);
            }
        });
    }

    /** Writes a raw JSON value (already valid JSON) as a field. */
    static void rawField(JsonGenerator g, String name, byte[] json) throws IOException {
        g.writeFieldName(name);
        g.writeRawValue(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }
}
