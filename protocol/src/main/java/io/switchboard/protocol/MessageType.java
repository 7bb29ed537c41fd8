package io.switchboard.protocol;

import java.util.HashMap;
import java.util.Map;

/** Every envelope {@code type} of protocol v1, with who sends it and whether it carries an {@code id}. */
public enum MessageType {
    // Client commands: each carries an id and gets exactly one reply (ack, error, or pong for ping).
    SUBSCRIBE("subscribe", Direction.COMMAND),
    UNSUBSCRIBE("unsubscribe", Direction.COMMAND),
    PUBLISH("publish", Direction.COMMAND),
    PRESENCE("presence", Direction.COMMAND),
    HISTORY("history", Direction.COMMAND),
    REFRESH("refresh", Direction.COMMAND),
    // A call to the application's backend (its rpc hook); the ack carries the result.
    RPC("rpc", Direction.COMMAND),
    PING("ping", Direction.BOTH),
    // The answer to a server ping (no id), or the server's answer to a client ping (with its id).
    PONG("pong", Direction.BOTH),

    // Server replies and pushes.
    WELCOME("welcome", Direction.PUSH),
    ACK("ack", Direction.PUSH),
    ERROR("error", Direction.PUSH),
    MESSAGE("message", Direction.PUSH),
    PRESENCE_UPDATE("presenceUpdate", Direction.PUSH),
    // A channel's joins and leaves of one window, coalesced (users, not connections).
    PRESENCE_DIFF("presenceDiff", Direction.PUSH),
    // A large channel's user count, at most once per window.
    PRESENCE_COUNT("presenceCount", Direction.PUSH),
    UNSUBSCRIBED("unsubscribed", Direction.PUSH),
    // The server subscribed the connection to a channel (server-side subscription): its position, if any.
    SUBSCRIBED("subscribed", Direction.PUSH);

    /** Who may send a type. */
    public enum Direction { COMMAND, PUSH, BOTH }

    private static final Map<String, MessageType> BY_WIRE_NAME = new HashMap<>();

    static {
        for (MessageType t : values()) {
            BY_WIRE_NAME.put(t.wireName, t);
        }
    }

    private final String wireName;
    private final Direction direction;

    MessageType(String wireName, Direction direction) {
        this.wireName = wireName;
        this.direction = direction;
    }

    public String wireName() {
        return wireName;
    }

    /** True when a client may send this type to the server. */
    public boolean isClientCommand() {
        return direction != Direction.PUSH;
    }

    /** True when a client must give an {@code id}: every client command except {@code pong}. */
    public boolean clientMustSendId() {
        return isClientCommand() && this != PONG;
    }

    /** The type for a wire name, or null when this version does not know it. */
    public static MessageType fromWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
