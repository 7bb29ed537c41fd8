package io.switchboard.protocol;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.switchboard.protocol.proto.Position;
import io.switchboard.protocol.proto.Type;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code switchboard.v1.protobuf} codec: one binary WebSocket message holds one or more envelopes of
 * {@code switchboard/v1/switchboard.proto}, each preceded by its length as a varint. Payloads are raw bytes.
 * Thread-safe: stateless.
 *
 * <p>Decoding follows the JSON decoder's rules (docs/protocol.md 3.3 to 3.5) where protobuf allows them: a
 * message that is not a valid sequence of delimited envelopes (a bad varint, a length past the end, a field
 * that does not parse, a string that is not UTF-8, more than {@link EnvelopeDecoder#DEFAULT_MAX_BATCH}
 * envelopes, nothing at all) throws {@link DecodeException} and none of it is executed; otherwise each
 * envelope becomes an {@link Envelope} or a {@link Rejected} with the command id when it could be read.
 */
public final class ProtobufCodec {

    private static final Map<MessageType, Type> TO_WIRE = new EnumMap<>(MessageType.class);

    static {
        for (MessageType t : MessageType.values()) {
            TO_WIRE.put(t, Type.valueOf(t.name())); // fails at class load when the schema lacks a type
        }
    }

    private final int maxBatch;

    public ProtobufCodec() {
        this(EnvelopeDecoder.DEFAULT_MAX_BATCH);
    }

    public ProtobufCodec(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    // ---- decoding ----------------------------------------------------------------------------------

    public List<Decoded> decode(byte[] data) throws DecodeException {
        return decode(data, 0, data.length);
    }

    public List<Decoded> decode(byte[] data, int off, int len) throws DecodeException {
        if (len == 0) {
            throw new DecodeException(ErrorCode.BAD_REQUEST, "empty frame");
        }
        CodedInputStream in = CodedInputStream.newInstance(data, off, len);
        List<Decoded> out = new ArrayList<>(1);
        try {
            while (!in.isAtEnd()) {
                if (out.size() == maxBatch) {
                    throw new DecodeException(ErrorCode.BAD_REQUEST, "a batch holds at most " + maxBatch + " envelopes");
                }
                int size = in.readRawVarint32();
                if (size < 0 || size > len - in.getTotalBytesRead()) {
                    throw new DecodeException(ErrorCode.BAD_REQUEST, "malformed protobuf: an envelope's length runs past the frame");
                }
                int limit = in.pushLimit(size);
                io.switchboard.protocol.proto.Envelope pe = io.switchboard.protocol.proto.Envelope.parseFrom(in);
                in.checkLastTagWas(0);
                in.popLimit(limit);
                out.add(toEnvelope(pe));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new DecodeException(ErrorCode.BAD_REQUEST, "malformed protobuf: " + clip(e.getMessage()), e);
        } catch (IOException e) {
            throw new DecodeException(ErrorCode.BAD_REQUEST, "malformed protobuf: " + clip(e.getMessage()), e);
        }
        return out;
    }

    private static String clip(String m) {
        if (m == null) {
            return "invalid input";
        }
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    private static Decoded toEnvelope(io.switchboard.protocol.proto.Envelope pe) {
        CommandId id = null;
        String idProblem = null;
        switch (pe.getCommandIdCase()) {
            case ID -> {
                if (pe.getId().length() > EnvelopeDecoder.MAX_ID_LENGTH) {
                    idProblem = "id is longer than " + EnvelopeDecoder.MAX_ID_LENGTH + " characters";
                } else {
                    id = CommandId.of(pe.getId());
                }
            }
            case ID_NUMBER -> id = CommandId.of(pe.getIdNumber());
            default -> {
            }
        }
        if (pe.hasV() && pe.getV() != Envelope.VERSION) {
            return new Rejected(id, ErrorCode.UNSUPPORTED_VERSION, "this server speaks v 1 only");
        }
        if (idProblem != null) {
            return new Rejected(null, ErrorCode.BAD_REQUEST, idProblem);
        }
        Envelope.Builder b = Envelope.builder(MessageType.PING).id(id);
        if (pe.hasSince()) {
            Position s = pe.getSince();
            if (!s.hasEpoch() || !s.hasOffset() || s.getOffset() < 0) {
                return new Rejected(id, ErrorCode.BAD_REQUEST, "since needs an epoch and a non-negative offset");
            }
            b.since(new StreamPosition(s.getEpoch(), s.getOffset()));
        }
        if (pe.hasLimit()) {
            long l = pe.getLimit();
            if (l < 0 || l > Integer.MAX_VALUE) {
                return new Rejected(id, ErrorCode.BAD_REQUEST, "limit is out of range");
            }
            b.limit((int) l);
        }
        int typeNumber = pe.getTypeValue();
        if (typeNumber == 0) {
            return new Rejected(id, ErrorCode.BAD_REQUEST, "missing type");
        }
        Type wireType = pe.getType();
        MessageType type = wireType == Type.UNRECOGNIZED ? null : fromWire(wireType);
        if (type == null) {
            return new Rejected(id, ErrorCode.UNKNOWN_TYPE, "unknown type " + typeNumber);
        }
        if (pe.hasChannel()) {
            b.channel(pe.getChannel());
        }
        if (pe.hasPayload()) {
            b.payload(pe.getPayload().toByteArray());
        }
        if (pe.hasOffset()) {
            b.offset(pe.getOffset());
        }
        if (pe.hasEpoch()) {
            b.epoch(pe.getEpoch());
        }
        if (pe.hasTs()) {
            b.ts(pe.getTs());
        }
        if (pe.hasFrom()) {
            b.from(pe.getFrom());
        }
        if (pe.hasToken()) {
            b.token(pe.getToken());
        }
        if (pe.hasMethod()) {
            b.method(pe.getMethod());
        }
        if (pe.hasIdempotencyKey()) {
            b.idempotencyKey(pe.getIdempotencyKey());
        }
        if (pe.hasReverse()) {
            b.reverse(pe.getReverse());
        }
        if (pe.hasCursor()) {
            b.cursor(pe.getCursor());
        }
        if (pe.hasCode()) {
            b.code(pe.getCode());
        }
        if (pe.hasMessage()) {
            b.message(pe.getMessage());
        }
        if (pe.hasRetryable()) {
            b.retryable(pe.getRetryable());
        }
        return b.toBuilderWithType(type).build();
    }

    private static MessageType fromWire(Type t) {
        try {
            return MessageType.valueOf(t.name());
        } catch (IllegalArgumentException e) {
            return null; // a type of the schema this build does not handle
        }
    }

    // ---- encoding ----------------------------------------------------------------------------------

    /** The schema's message for {@code e}; the payload is wrapped, not copied. */
    public static io.switchboard.protocol.proto.Envelope toProto(Envelope e) {
        io.switchboard.protocol.proto.Envelope.Builder b = io.switchboard.protocol.proto.Envelope.newBuilder()
                .setType(TO_WIRE.get(e.type()));
        if (e.id() != null) {
            if (e.id().numeric() && fitsLong(e.id().text())) {
                b.setIdNumber(Long.parseLong(e.id().text()));
            } else {
                b.setId(e.id().text());
            }
        }
        if (e.channel() != null) {
            b.setChannel(e.channel());
        }
        if (e.since() != null) {
            b.setSince(Position.newBuilder().setEpoch(e.since().epoch()).setOffset(e.since().offset()));
        }
        if (e.offset() != null) {
            b.setOffset(e.offset());
        }
        if (e.epoch() != null) {
            b.setEpoch(e.epoch());
        }
        if (e.ts() != null) {
            b.setTs(e.ts());
        }
        if (e.from() != null) {
            b.setFrom(e.from());
        }
        if (e.token() != null) {
            b.setToken(e.token());
        }
        if (e.method() != null) {
            b.setMethod(e.method());
        }
        if (e.idempotencyKey() != null) {
            b.setIdempotencyKey(e.idempotencyKey());
        }
        if (e.limit() != null) {
            b.setLimit(e.limit());
        }
        if (e.reverse() != null) {
            b.setReverse(e.reverse());
        }
        if (e.cursor() != null) {
            b.setCursor(e.cursor());
        }
        if (e.code() != null) {
            b.setCode(e.code());
        }
        if (e.message() != null) {
            b.setMessage(e.message());
        }
        if (e.retryable() != null) {
            b.setRetryable(e.retryable());
        }
        if (e.payload() != null) {
            b.setPayload(UnsafeByteOperations.unsafeWrap(e.payload()));
        }
        return b.build();
    }

    private static boolean fitsLong(String digits) {
        try {
            Long.parseLong(digits);
            return true;
        } catch (NumberFormatException ex) {
            return false;
        }
    }

    /** Writes {@code e} as one delimited envelope (its length as a varint, then the message). */
    public static void writeDelimited(Envelope e, OutputStream out) throws IOException {
        io.switchboard.protocol.proto.Envelope pe = toProto(e);
        int size = pe.getSerializedSize();
        CodedOutputStream cos = CodedOutputStream.newInstance(out, CodedOutputStream.computeUInt32SizeNoTag(size) + size);
        cos.writeUInt32NoTag(size);
        pe.writeTo(cos);
        cos.flush();
    }

    /** One envelope as a complete binary message: its length as a varint, then the message. */
    public static byte[] encode(Envelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try {
            writeDelimited(e, out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** Several envelopes as one binary message (a batch). */
    public static byte[] encode(List<Envelope> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * batch.size());
        try {
            for (Envelope e : batch) {
                writeDelimited(e, out);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
