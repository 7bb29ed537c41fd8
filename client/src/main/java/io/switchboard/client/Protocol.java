package io.switchboard.client;

import io.switchboard.protocol.WireFormat;

/**
 * The wire format a client speaks (docs/protocol.md 1.2 and 14): the same protocol v1 either way. Choose it
 * with {@link SwitchboardClientBuilder#protocol(Protocol)}.
 */
public enum Protocol {
    /** {@code switchboard.v1.json}: JSON in text frames (the default). */
    JSON(WireFormat.JSON),
    /**
     * {@code switchboard.v1.protobuf}: Protobuf in binary frames, smaller on the wire; payloads of any bytes
     * ({@link SwitchboardClient#publish(String, byte[])}) travel without base64.
     */
    PROTOBUF(WireFormat.PROTOBUF);

    private final WireFormat format;

    Protocol(WireFormat format) {
        this.format = format;
    }

    WireFormat format() {
        return format;
    }

    /** The WebSocket subprotocol name the client offers. */
    public String subprotocol() {
        return format.subprotocol();
    }
}
