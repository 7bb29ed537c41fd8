package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes envelopes as compact JSON with Jackson's streaming generator. The payload is copied in as raw
 * bytes. Fields appear in a fixed order ({@code v}, {@code type}, {@code id}, routing fields, error
 * fields, then {@code payload}) and absent fields are omitted. A {@code message} or {@code publish} payload that
 * is not JSON ({@link JsonPayloads}) is written as {@code payloadBase64} instead. Thread-safe.
 */
public final class EnvelopeEncoder {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private EnvelopeEncoder() {
    }

    public static byte[] encode(Envelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try {
            write(e, out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** Writes one envelope to {@code out}; does not close it. */
    public static void write(Envelope e, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            writeObject(e, g);
        }
    }

    /** Wraps validated JSON bytes for {@link JsonGenerator#writeRawValue(com.fasterxml.jackson.core.SerializableString)}. */
    public static com.fasterxml.jackson.core.SerializableString raw(byte[] json) {
        return new RawJson(json);
    }

    static void writeObject(Envelope e, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("v", Envelope.VERSION);
        g.writeStringField("type", e.type().wireName());
        if (e.id() != null) {
            g.writeFieldName("id");
            if (e.id().numeric()) {
                g.writeNumber(e.id().text());
            } else {
                g.writeString(e.id().text());
            }
        }
        stringField(g, "channel", e.channel());
        if (e.since() != null) {
            g.writeObjectFieldStart("since");
            g.writeStringField("epoch", e.since().epoch());
            g.writeNumberField("offset", e.since().offset());
            g.writeEndObject();
        }
        if (e.offset() != null) {
            g.writeNumberField("offset", e.offset());
        }
        stringField(g, "epoch", e.epoch());
        if (e.ts() != null) {
            g.writeNumberField("ts", e.ts());
        }
        stringField(g, "from", e.from());
        stringField(g, "token", e.token());
        stringField(g, "method", e.method());
        stringField(g, "idempotencyKey", e.idempotencyKey());
        if (e.limit() != null) {
            g.writeNumberField("limit", e.limit());
        }
        if (e.reverse() != null) {
            g.writeBooleanField("reverse", e.reverse());
        }
        stringField(g, "cursor", e.cursor());
        stringField(g, "code", e.code());
        stringField(g, "message", e.message());
        if (e.retryable() != null) {
            g.writeBooleanField("retryable", e.retryable());
        }
        if (e.payload() != null) {
            if (carriesAppData(e.type()) && !JsonPayloads.isJson(e.payload())) {
                // A binary payload (published over the binary subprotocol) travels in base64 (protocol.md 3.6).
                g.writeStringField("payloadBase64", JsonPayloads.base64(e.payload()));
            } else {
                g.writeFieldName("payload");
                g.writeRawValue(new RawJson(e.payload()));
            }
        }
        g.writeEndObject();
    }

    /** The types whose payload is the application's bytes (any bytes), not a document the server wrote. */
    private static boolean carriesAppData(MessageType t) {
        return t == MessageType.MESSAGE || t == MessageType.PUBLISH;
    }

    private static void stringField(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
