package io.switchboard.server.node;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.switchboard.protocol.CloseCode;
import io.switchboard.server.util.Json;
import java.io.IOException;

/**
 * The control messages nodes broadcast to each other through the engine (JSON): disconnect a user's
 * connections, or subscribe a user to a channel or end its subscriptions to one, on every node.
 */
final class ControlMessages {

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    private ControlMessages() {
    }

    static byte[] disconnect(String userId, CloseCode code) {
        return Json.object(g -> {
            g.writeStringField("op", "disconnect");
            g.writeStringField("userId", userId);
            g.writeNumberField("code", code.code());
        });
    }

    static byte[] unsubscribe(String userId, String channel) {
        return Json.object(g -> {
            g.writeStringField("op", "unsubscribe");
            g.writeStringField("userId", userId);
            g.writeStringField("channel", channel);
        });
    }

    static byte[] subscribe(String userId, String channel) {
        return Json.object(g -> {
            g.writeStringField("op", "subscribe");
            g.writeStringField("userId", userId);
            g.writeStringField("channel", channel);
        });
    }

    /** Carries out a control message on this node's connections; a malformed one is an IOException. */
    static void apply(Connections connections, byte[] message) throws IOException {
        String op = null;
        String user = null;
        String channel = null;
        int code = CloseCode.DISCONNECTED.code();
        try (JsonParser p = JSON.createParser(message)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("control message is not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "op" -> op = p.getValueAsString();
                    case "userId" -> user = p.getValueAsString();
                    case "channel" -> channel = p.getValueAsString();
                    case "code" -> code = p.getValueAsInt(code);
                    default -> { }
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                }
            }
        }
        if (user == null) {
            throw new IOException("control message without userId");
        }
        if ("disconnect".equals(op)) {
            CloseCode close = CloseCode.fromCode(code);
            connections.disconnectUser(user, close == null ? CloseCode.DISCONNECTED : close);
        } else if ("unsubscribe".equals(op) && channel != null) {
            connections.unsubscribeUser(user, channel);
        } else if ("subscribe".equals(op) && channel != null) {
            connections.subscribeUser(user, channel);
        } else {
            throw new IOException("unknown control op " + op);
        }
    }
}
