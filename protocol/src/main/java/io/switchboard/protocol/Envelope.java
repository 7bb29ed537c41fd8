package io.switchboard.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One v1 envelope: a command from a client or a push from the server. Immutable. Fields a type does not
 * use are null. {@code payload} is raw JSON bytes, exactly as they arrived (validated once, never parsed
 * into a tree); callers must not modify the array they pass in or get back.
 */
public final class Envelope implements Decoded {

    /** The only protocol version this build speaks. */
    public static final int VERSION = 1;

    private final MessageType type;
    private final CommandId id;
    private final String channel;
    private final byte[] payload;
    private final StreamPosition since;
    private final Long offset;
    private final String epoch;
    private final Long ts;
    private final String from;
    private final String token;
    private final String method;
    private final String idempotencyKey;
    private final Integer limit;
    private final String cursor;
    private final Boolean reverse;
    private final String code;
    private final String message;
    private final Boolean retryable;

    private Envelope(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.id = b.id;
        this.channel = b.channel;
        this.payload = b.payload;
        this.since = b.since;
        this.offset = b.offset;
        this.epoch = b.epoch;
        this.ts = b.ts;
        this.from = b.from;
        this.token = b.token;
        this.method = b.method;
        this.idempotencyKey = b.idempotencyKey;
        this.limit = b.limit;
        this.cursor = b.cursor;
        this.reverse = b.reverse;
        this.code = b.code;
        this.message = b.message;
        this.retryable = b.retryable;
    }

    public static Builder builder(MessageType type) {
        return new Builder(type);
    }

    /** An {@code ack} for a command, with an optional raw JSON payload. */
    public static Envelope ack(CommandId id, byte[] payload) {
        return builder(MessageType.ACK).id(id).payload(payload).build();
    }

    /** An {@code error}, echoing {@code id} when there is one. */
    public static Envelope error(CommandId id, ErrorCode code, String message) {
        return builder(MessageType.ERROR).id(id).code(code.wireName()).message(message).retryable(code.retryable()).build();
    }

    public int v() {
        return VERSION;
    }

    public MessageType type() {
        return type;
    }

    public CommandId id() {
        return id;
    }

    public String channel() {
        return channel;
    }

    public byte[] payload() {
        return payload;
    }

    /** The payload as a JSON string (for tests, logs and clients that want text). */
    public String payloadText() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    public StreamPosition since() {
        return since;
    }

    public Long offset() {
        return offset;
    }

    public String epoch() {
        return epoch;
    }

    public Long ts() {
        return ts;
    }

    public String from() {
        return from;
    }

    public String token() {
        return token;
    }

    /** The backend's procedure an {@code rpc} command calls. */
    public String method() {
        return method;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public Integer limit() {
        return limit;
    }

    /** The {@code presence} command's paging position: the {@code cursor} of the page before. */
    public String cursor() {
        return cursor;
    }

    /** For {@code history}: true to read newest first. */
    public Boolean reverse() {
        return reverse;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    public Boolean retryable() {
        return retryable;
    }

    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.id = id;
        b.channel = channel;
        b.payload = payload;
        b.since = since;
        b.offset = offset;
        b.epoch = epoch;
        b.ts = ts;
        b.from = from;
        b.token = token;
        b.method = method;
        b.idempotencyKey = idempotencyKey;
        b.limit = limit;
        b.cursor = cursor;
        b.reverse = reverse;
        b.code = code;
        b.message = message;
        b.retryable = retryable;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Envelope e)) {
            return false;
        }
        return type == e.type && Objects.equals(id, e.id) && Objects.equals(channel, e.channel)
                && Arrays.equals(payload, e.payload) && Objects.equals(since, e.since)
                && Objects.equals(offset, e.offset) && Objects.equals(epoch, e.epoch) && Objects.equals(ts, e.ts)
                && Objects.equals(from, e.from) && Objects.equals(token, e.token) && Objects.equals(method, e.method)
                && Objects.equals(idempotencyKey, e.idempotencyKey) && Objects.equals(limit, e.limit) && Objects.equals(cursor, e.cursor)
                && Objects.equals(reverse, e.reverse)
                && Objects.equals(code, e.code) && Objects.equals(message, e.message)
                && Objects.equals(retryable, e.retryable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, id, channel, Arrays.hashCode(payload), offset, code);
    }

    @Override
    public String toString() {
        return new String(EnvelopeEncoder.encode(this), StandardCharsets.UTF_8);
    }

    /** Builds an envelope; not thread-safe. */
    public static final class Builder {
        private MessageType type;
        private CommandId id;
        private String channel;
        private byte[] payload;
        private StreamPosition since;
        private Long offset;
        private String epoch;
        private Long ts;
        private String from;
        private String token;
        private String method;
        private String idempotencyKey;
        private Integer limit;
        private String cursor;
        private Boolean reverse;
        private String code;
        private String message;
        private Boolean retryable;

        private Builder(MessageType type) {
            this.type = type;
        }

        public Builder id(CommandId id) {
            this.id = id;
            return this;
        }

        public Builder id(String id) {
            this.id = id == null ? null : CommandId.of(id);
            return this;
        }

        public Builder channel(String channel) {
            this.channel = channel;
            return this;
        }

        /** Raw JSON bytes; the caller vouches that they are one well-formed JSON value. */
        public Builder payload(byte[] payload) {
            this.payload = payload;
            return this;
        }

        /** Raw JSON text; the caller vouches that it is one well-formed JSON value. */
        public Builder payloadJson(String json) {
            this.payload = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Builder since(StreamPosition since) {
            this.since = since;
            return this;
        }

        public Builder offset(Long offset) {
            this.offset = offset;
            return this;
        }

        public Builder epoch(String epoch) {
            this.epoch = epoch;
            return this;
        }

        public Builder ts(Long ts) {
            this.ts = ts;
            return this;
        }

        public Builder from(String from) {
            this.from = from;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder method(String method) {
            this.method = method;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder cursor(String cursor) {
            this.cursor = cursor;
            return this;
        }

        public Builder limit(Integer limit) {
            this.limit = limit;
            return this;
        }

        public Builder reverse(Boolean reverse) {
            this.reverse = reverse;
            return this;
        }

        public Builder code(String code) {
            this.code = code;
            return this;
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        public Builder retryable(Boolean retryable) {
            this.retryable = retryable;
            return this;
        }

        /** For the decoder, which learns the type only after reading every field. */
        Builder toBuilderWithType(MessageType type) {
            this.type = type;
            return this;
        }

        public Envelope build() {
            return new Envelope(this);
        }
    }
}
