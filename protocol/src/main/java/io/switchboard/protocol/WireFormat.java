package io.switchboard.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The wire formats of protocol v1, one per WebSocket subprotocol: the same envelopes written as JSON in
 * text frames, or as Protobuf in binary frames. A format decodes a whole frame and writes one envelope at a
 * time in the form that a batch is made of by concatenation ({@link #batchOpen()}, {@link #batchSeparator()},
 * {@link #batchClose()}), so that an envelope encoded once can be shared by every connection of its format.
 */
public enum WireFormat {
    /** {@code switchboard.v1.json}: UTF-8 JSON in text frames; a batch is a JSON array. */
    JSON("switchboard.v1.json", true) {
        private final EnvelopeDecoder decoder = new EnvelopeDecoder();

        @Override
        public List<Decoded> decode(byte[] frame) throws DecodeException {
            return decoder.decode(frame);
        }

        @Override
        public void write(Envelope e, OutputStream out) throws IOException {
            EnvelopeEncoder.write(e, out);
        }
    },
    /** {@code switchboard.v1.protobuf}: varint-delimited Protobuf envelopes in binary frames. */
    PROTOBUF("switchboard.v1.protobuf", false) {
        private final ProtobufCodec codec = new ProtobufCodec();

        @Override
        public List<Decoded> decode(byte[] frame) throws DecodeException {
            return codec.decode(frame);
        }

        @Override
        public void write(Envelope e, OutputStream out) throws IOException {
            ProtobufCodec.writeDelimited(e, out);
        }
    };

    private final String subprotocol;
    private final boolean text;

    WireFormat(String subprotocol, boolean text) {
        this.subprotocol = subprotocol;
        this.text = text;
    }

    /** The {@code Sec-WebSocket-Protocol} name that selects this format. */
    public String subprotocol() {
        return subprotocol;
    }

    /** True when frames are WebSocket text frames (false: binary frames). */
    public boolean text() {
        return text;
    }

    /** Decodes one whole frame (one envelope or a batch); see {@link EnvelopeDecoder} and {@link ProtobufCodec}. */
    public abstract List<Decoded> decode(byte[] frame) throws DecodeException;

    /** Writes one envelope as it goes into a frame, alone or as one element of a batch. */
    public abstract void write(Envelope e, OutputStream out) throws IOException;

    /** One envelope, encoded. */
    public byte[] encode(Envelope e) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(128);
        try {
            write(e, out);
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** Bytes before the first envelope of a batch of two or more. */
    public byte[] batchOpen() {
        return text ? new byte[] {'['} : new byte[0];
    }

    /** Bytes between two envelopes of a batch. */
    public byte[] batchSeparator() {
        return text ? new byte[] {','} : new byte[0];
    }

    /** Bytes after the last envelope of a batch. */
    public byte[] batchClose() {
        return text ? new byte[] {']'} : new byte[0];
    }

    /** The format a subprotocol name selects (names compare exactly), or null. */
    public static WireFormat forSubprotocol(String name) {
        for (WireFormat f : values()) {
            if (f.subprotocol.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The format of the first name in {@code offered} (the client's order of preference) spoken here, or null. */
    public static WireFormat choose(List<String> offered) {
        for (String name : offered) {
            WireFormat f = forSubprotocol(name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }
}
