package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes one frame (a single envelope object, or an array of them) with Jackson's streaming parser.
 * The envelope fields are read one token at a time; {@code payload} is validated by walking its tokens
 * once and kept as the raw bytes it arrived as. Thread-safe: holds only an immutable parser factory.
 *
 * <p>The outcome is all-or-nothing for syntax: a frame that is not well-formed JSON (or too deep, or
 * has trailing data) throws {@link DecodeException} and none of its envelopes is returned. A frame that
 * is well-formed JSON yields one {@link Decoded} per envelope, each either an {@link Envelope} or a
 * {@link Rejected} carrying the error and, where it could be read, the command id.
 */
public final class EnvelopeDecoder {

    /** Deepest nesting accepted, counting the batch array and the envelope object themselves. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Most envelopes one batch frame may hold. */
    public static final int DEFAULT_MAX_BATCH = 100;
    /** Longest accepted command id, in characters. */
    public static final int MAX_ID_LENGTH = 64;

    private final JsonFactory factory;
    private final int maxBatch;

    public EnvelopeDecoder() {
        this(DEFAULT_MAX_DEPTH, DEFAULT_MAX_BATCH);
    }

    public EnvelopeDecoder(int maxDepth, int maxBatch) {
        // Payloads are opaque: a number in one may be as long as the frame allows. The parser only
        // tokenises numbers here (a field that needs a value reads it as out of range when it is too
        // long for a long); it never converts a payload's numbers, so their length costs nothing more.
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth)
                        .maxNumberLength(Integer.MAX_VALUE).build())
                .build();
        this.maxBatch = maxBatch;
    }

    public List<Decoded> decode(byte[] data) throws DecodeException {
        return decode(data, 0, data.length);
    }

    public List<Decoded> decode(byte[] data, int off, int len) throws DecodeException {
        try (JsonParser p = factory.createParser(data, off, len)) {
            JsonToken first = p.nextToken();
            List<Decoded> out;
            if (first == JsonToken.START_OBJECT) {
                out = List.of(readEnvelope(p, data, off));
            } else if (first == JsonToken.START_ARRAY) {
                out = new ArrayList<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (out.size() == maxBatch) {
                        throw new DecodeException(ErrorCode.BAD_REQUEST, "a batch holds at most " + maxBatch + " envelopes");
                    }
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        out.add(new Rejected(null, ErrorCode.BAD_REQUEST, "a batch element must be an envelope object"));
                    } else {
                        out.add(readEnvelope(p, data, off));
                    }
                }
                if (out.isEmpty()) {
                    throw new DecodeException(ErrorCode.BAD_REQUEST, "empty batch");
                }
            } else if (first == null) {
                throw new DecodeException(ErrorCode.BAD_REQUEST, "empty frame");
            } else {
                throw new DecodeException(ErrorCode.BAD_REQUEST, "a frame must be an envelope object or an array of them");
            }
            if (p.nextToken() != null) {
                throw new DecodeException(ErrorCode.BAD_REQUEST, "trailing data after the envelope");
            }
            return out;
        } catch (StreamConstraintsException e) {
            throw new DecodeException(ErrorCode.BAD_REQUEST, "frame exceeds a parsing limit: " + shortMessage(e), e);
        } catch (JsonProcessingException e) {
            throw new DecodeException(ErrorCode.BAD_REQUEST, "malformed JSON: " + shortMessage(e), e);
        } catch (IOException e) {
            // Parsing a byte array does no I/O; anything here is a malformed input surfacing oddly.
            throw new DecodeException(ErrorCode.BAD_REQUEST, "malformed JSON: " + e.getMessage(), e);
        }
    }

    private static String shortMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return "invalid input";
        }
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    /** Reads one object whose START_OBJECT is the current token; leaves the parser on its END_OBJECT. */
    private Decoded readEnvelope(JsonParser p, byte[] data, int off) throws IOException {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (!f.markSeen(name)) {
                f.problem(ErrorCode.BAD_REQUEST, "duplicate field '" + name + "'");
                p.skipChildren();
                continue;
            }
            switch (name) {
                case "v" -> {
                    if (t == JsonToken.VALUE_NUMBER_INT) {
                        // Any integer other than 1 is a version we do not speak, however large.
                        f.v = p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : -1;
                    } else {
                        f.problem(ErrorCode.BAD_REQUEST, "v must be an integer");
                        f.v = Envelope.VERSION; // reported as the field-type problem, not as a version
                        p.skipChildren();
                    }
                }
                case "type" -> f.type = string(p, t, f, name);
                case "id" -> f.id = id(p, t, f);
                case "channel" -> f.b.channel(string(p, t, f, name));
                case "payload" -> f.payload(t == JsonToken.VALUE_NULL ? null : rawValue(p, t, data, off), name);
                case "payloadBase64" -> f.payload(base64(string(p, t, f, name), f), name);
                case "since" -> f.b.since(position(p, t, f));
                case "offset" -> f.b.offset(longValue(p, t, f, name));
                case "ts" -> f.b.ts(longValue(p, t, f, name));
                case "limit" -> {
                    Long l = longValue(p, t, f, name);
                    if (l != null && (l < 0 || l > Integer.MAX_VALUE)) {
                        f.problem(ErrorCode.BAD_REQUEST, "limit is out of range");
                    } else {
                        f.b.limit(l == null ? null : l.intValue());
                    }
                }
                case "epoch" -> f.b.epoch(string(p, t, f, name));
                case "from" -> f.b.from(string(p, t, f, name));
                case "token" -> f.b.token(string(p, t, f, name));
                case "method" -> f.b.method(string(p, t, f, name));
                case "idempotencyKey" -> f.b.idempotencyKey(string(p, t, f, name));
                case "code" -> f.b.code(string(p, t, f, name));
                case "message" -> f.b.message(string(p, t, f, name));
                case "retryable" -> f.b.retryable(bool(p, t, f, name));
                case "reverse" -> f.b.reverse(bool(p, t, f, name));
                case "cursor" -> f.b.cursor(string(p, t, f, name));
                // Unknown fields are ignored (after being checked to be well-formed) so that newer
                // clients can add optional fields without breaking older servers.
                default -> p.skipChildren();
            }
        }
        return f.finish();
    }

    private static String string(JsonParser p, JsonToken t, Fields f, String name) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            f.problem(ErrorCode.BAD_REQUEST, name + " must be a string");
        }
        p.skipChildren();
        return null;
    }

    /** A {@code payloadBase64} value: standard base64 (RFC 4648 section 4), padding optional. */
    private static byte[] base64(String text, Fields f) {
        if (text == null) {
            return null;
        }
        try {
            return java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            f.problem(ErrorCode.BAD_REQUEST, "payloadBase64 is not base64");
            return null;
        }
    }

    private static Boolean bool(JsonParser p, JsonToken t, Fields f, String name) throws IOException {
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        if (t != JsonToken.VALUE_NULL) {
            f.problem(ErrorCode.BAD_REQUEST, name + " must be a boolean");
        }
        p.skipChildren();
        return null;
    }

    private static Long longValue(JsonParser p, JsonToken t, Fields f, String name) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = p.getNumberType();
            if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
                return p.getLongValue();
            }
            f.problem(ErrorCode.BAD_REQUEST, name + " is out of range");
            return null;
        }
        if (t != JsonToken.VALUE_NULL) {
            f.problem(ErrorCode.BAD_REQUEST, name + " must be an integer");
        }
        p.skipChildren();
        return null;
    }

    private static CommandId id(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            String text = p.getText();
            if (text.length() > MAX_ID_LENGTH) {
                f.problem(ErrorCode.BAD_REQUEST, "id is longer than " + MAX_ID_LENGTH + " characters");
                return null;
            }
            if (t == JsonToken.VALUE_STRING) {
                return CommandId.of(text);
            }
            return new CommandId(text, true);
        }
        if (t != JsonToken.VALUE_NULL) {
            f.problem(ErrorCode.BAD_REQUEST, "id must be a string or an integer");
        }
        p.skipChildren();
        return null;
    }

    private static StreamPosition position(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            f.problem(ErrorCode.BAD_REQUEST, "since must be an object {epoch, offset}");
            p.skipChildren();
            return null;
        }
        String epoch = null;
        Long offset = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken vt = p.nextToken();
            if (name.equals("epoch")) {
                epoch = string(p, vt, f, "since.epoch");
            } else if (name.equals("offset")) {
                offset = longValue(p, vt, f, "since.offset");
            } else {
                p.skipChildren();
            }
        }
        if (epoch == null || offset == null || offset < 0) {
            f.problem(ErrorCode.BAD_REQUEST, "since needs a string epoch and a non-negative integer offset");
            return null;
        }
        return new StreamPosition(epoch, offset);
    }

    /** Walks one value (checking it is well-formed JSON) and returns its bytes as they arrived. */
    private static byte[] rawValue(JsonParser p, JsonToken t, byte[] data, int off) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            // Strings are parsed lazily; finishing the token validates it and moves the location past it.
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return Arrays.copyOfRange(data, off + start, off + end);
    }

    /** The fields of one envelope while it is read, and the first problem found in it. */
    private static final class Fields {
        final Envelope.Builder b = Envelope.builder(MessageType.PING); // type is replaced in finish()
        final List<String> seen = new ArrayList<>(8);
        Integer v; // null: absent
        String type;
        CommandId id;
        ErrorCode problemCode;
        String problemMessage;

        boolean markSeen(String name) {
            for (String s : seen) {
                if (s.equals(name)) {
                    return false;
                }
            }
            seen.add(name);
            return true;
        }

        String payloadField; // which of payload and payloadBase64 gave the payload

        void payload(byte[] bytes, String field) {
            if (bytes == null) {
                return;
            }
            if (payloadField != null) {
                problem(ErrorCode.BAD_REQUEST, "payload and payloadBase64 exclude each other");
                return;
            }
            payloadField = field;
            b.payload(bytes);
        }

        void problem(ErrorCode code, String message) {
            if (problemCode == null) {
                problemCode = code;
                problemMessage = message;
            }
        }

        Decoded finish() {
            if (v == null) {
                return new Rejected(id, ErrorCode.BAD_REQUEST, "missing v");
            }
            if (v != Envelope.VERSION) {
                return new Rejected(id, ErrorCode.UNSUPPORTED_VERSION, "this server speaks v 1 only");
            }
            if (problemCode != null) {
                return new Rejected(id, problemCode, problemMessage);
            }
            if (type == null) {
                return new Rejected(id, ErrorCode.BAD_REQUEST, "missing type");
            }
            MessageType mt = MessageType.fromWireName(type);
            if (mt == null) {
                return new Rejected(id, ErrorCode.UNKNOWN_TYPE, "unknown type '" + abbreviate(type) + "'");
            }
            return b.toBuilderWithType(mt).id(id).build();
        }

        private static String abbreviate(String s) {
            return s.length() > 64 ? s.substring(0, 64) + "..." : s;
        }
    }
}
