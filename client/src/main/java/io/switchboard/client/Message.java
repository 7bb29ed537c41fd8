package io.switchboard.client;

import io.switchboard.protocol.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One publication on a channel: pushed live, recovered after a reconnect, or read with
 * {@link SwitchboardClient#history}. The payload is the publisher's bytes, byte for byte: JSON text, or any
 * bytes published with {@link SwitchboardClient#publish(String, byte[])} (read those with
 * {@link #payloadBytes()}; docs/protocol.md 3.6). Immutable.
 */
public final class Message {

    private final String channel;
    private final byte[] payload;
    private final String from;
    private final long timestamp;
    private final long offset;
    private final String epoch;

    Message(String channel, byte[] payload, String from, long timestamp, long offset, String epoch) {
        this.channel = channel;
        this.payload = payload;
        this.from = from;
        this.timestamp = timestamp;
        this.offset = offset;
        this.epoch = epoch;
    }

    public String channel() {
        return channel;
    }

    /** The payload as JSON text, exactly as published (e.g. {@code {"text":"hi"}} or {@code "hi"}). */
    public String payload() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The payload's bytes (a JSON payload's UTF-8, or a binary payload as published); a copy. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /** The publisher's user id; null when an anonymous connection published. */
    public String from() {
        return from;
    }

    /** When the server accepted the publication, in milliseconds since the epoch. */
    public long timestamp() {
        return timestamp;
    }

    public Instant time() {
        return Instant.ofEpochMilli(timestamp);
    }

    /** True on channels that keep history: then {@link #offset()} and {@link #epoch()} say where the message sits. */
    public boolean hasPosition() {
        return epoch != null && offset >= 0;
    }

    /** The message's offset in its channel's stream, growing by one per message; -1 on channels without history. */
    public long offset() {
        return offset;
    }

    /** The identity of the channel's stream; null on channels without history. */
    public String epoch() {
        return epoch;
    }

    /** The position ({@code epoch}, {@code offset}), or null on channels without history. */
    public StreamPosition position() {
        return hasPosition() ? new StreamPosition(epoch, offset) : null;
    }

    @Override
    public String toString() {
        return "Message[" + channel + (hasPosition() ? " @" + epoch + ":" + offset : "") + (from == null ? "" : " from " + from)
                + ": " + payload() + "]";
    }
}
