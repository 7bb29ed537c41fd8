package io.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Envelope single(String json) throws DecodeException {
        List<Decoded> d = decoder.decode(utf8(json));
        assertThat(d).hasSize(1);
        assertThat(d.get(0)).isInstanceOf(Envelope.class);
        return (Envelope) d.get(0);
    }

    /** One example of every type, with every field its type uses. */
    static List<Envelope> examples() {
        List<Envelope> all = new ArrayList<>();
        for (MessageType t : MessageType.values()) {
            Envelope.Builder b = Envelope.builder(t);
            switch (t) {
                case SUBSCRIBE -> b.id("1").channel("chat:lobby").since(new StreamPosition("Qx81", 41));
                case UNSUBSCRIBE -> b.id(CommandId.of(2)).channel("chat:lobby");
                case PUBLISH -> b.id("3").channel("chat:lobby").idempotencyKey("k-1").payloadJson("{\"text\":\"Hello, team!\",\"n\":[1,2.5,-3e7,true,null]}");
                case PRESENCE -> b.id("4").channel("chat:lobby").limit(100).cursor("YWJj.0a1b2c3d");
                case HISTORY -> b.id("5").channel("chat:lobby").since(new StreamPosition("e", 0)).limit(50).reverse(true);
                case REFRESH -> b.id("6").token("a.b.c");
                case RPC -> b.id("8").method("chat.who").payloadJson("{\"room\":\"lobby\"}");
                case PING, PONG -> b.id("7");
                case WELCOME -> b.payloadJson("{\"sessionId\":\"s1\",\"userId\":\"alice\"}");
                case ACK -> b.id("1").payloadJson("{\"epoch\":\"Qx81\",\"offset\":41,\"recovered\":false}");
                case ERROR -> b.id("2").code("forbidden").message("no \"quotes\" \u00e9\n here").retryable(false);
                case MESSAGE -> b.channel("chat:lobby").offset(42L).epoch("Qx81").ts(1678886400123L).from("user123").payloadJson("\"\u2603 snow\"");
                case PRESENCE_UPDATE -> b.channel("chat:lobby").payloadJson("{\"userId\":\"alice\",\"status\":\"online\"}");
                case UNSUBSCRIBED -> b.channel("chat:lobby").code("forbidden").message("gone");
                case SUBSCRIBED -> b.channel("user:#alice").payloadJson("{\"epoch\":\"Qx81\",\"offset\":7}");
                case PRESENCE_DIFF -> b.channel("chat:lobby").payloadJson("{\"joins\":[\"alice\"],\"leaves\":[],\"users\":1}");
                case PRESENCE_COUNT -> b.channel("chat:lobby").payloadJson("{\"users\":50000}");
                default -> throw new AssertionError(t);
            }
            all.add(b.build());
        }
        return all;
    }

    @Test
    void everyTypeRoundTrips() throws Exception {
        for (Envelope e : examples()) {
            byte[] bytes = EnvelopeEncoder.encode(e);
            assertThat(single(new String(bytes, StandardCharsets.UTF_8))).as(e.type().wireName()).isEqualTo(e);
        }
    }

    @Test
    void encodingStartsWithVersionAndType() {
        String json = new String(EnvelopeEncoder.encode(Envelope.error(CommandId.of("2"), ErrorCode.FORBIDDEN, "nope")), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"v\":1,\"type\":\"error\",\"id\":\"2\",\"code\":\"forbidden\",\"message\":\"nope\",\"retryable\":false}");
    }

    @Test
    void payloadIsKeptByteForByte() throws Exception {
        String payload = "{ \"b\" : [ 1 , 2.50 , \"\\u00e9\\n\" ] ,\"a\":{}}";
        Envelope e = single("{\"payload\":" + payload + ",\"v\":1,\"type\":\"publish\",\"id\":\"x\",\"channel\":\"c\"}");
        assertThat(e.payloadText()).isEqualTo(payload);
        String scalar = "\"just a \\\"string\\\"\"";
        assertThat(single("{\"v\":1,\"type\":\"publish\",\"id\":\"x\",\"channel\":\"c\",\"payload\":" + scalar + "}").payloadText()).isEqualTo(scalar);
        assertThat(single("{\"v\":1,\"type\":\"publish\",\"id\":\"x\",\"channel\":\"c\",\"payload\":-12.5e3}").payloadText()).isEqualTo("-12.5e3");
        // null means absent, as for every other field
        assertThat(single("{\"v\":1,\"type\":\"publish\",\"id\":\"x\",\"channel\":\"c\",\"payload\":null}").payload()).isNull();
    }

    @Test
    void decodesFromTheMiddleOfABuffer() throws Exception {
        byte[] inner = utf8("{\"v\":1,\"type\":\"publish\",\"id\":\"x\",\"channel\":\"c\",\"payload\":[1,2]}");
        byte[] buf = new byte[inner.length + 20];
        System.arraycopy(inner, 0, buf, 7, inner.length);
        Envelope e = (Envelope) decoder.decode(buf, 7, inner.length).get(0);
        assertThat(e.payloadText()).isEqualTo("[1,2]");
    }

    @Test
    void batchesDecodeEachElement() throws Exception {
        List<Decoded> d = decoder.decode(utf8("[{\"v\":1,\"type\":\"ping\",\"id\":1},{\"v\":2,\"type\":\"ping\",\"id\":2},7,{\"v\":1,\"type\":\"warp\",\"id\":3}]"));
        assertThat(d).hasSize(4);
        assertThat(d.get(0)).isInstanceOf(Envelope.class);
        assertThat(((Rejected) d.get(1)).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(((Rejected) d.get(1)).id()).isEqualTo(CommandId.of(2));
        assertThat(((Rejected) d.get(2)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(((Rejected) d.get(3)).code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    }

    @Test
    void batchLimitsAreEnforced() {
        assertThatThrownBy(() -> decoder.decode(utf8("[]"))).isInstanceOf(DecodeException.class);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i <= EnvelopeDecoder.DEFAULT_MAX_BATCH; i++) {
            b.append(i == 0 ? "" : ",").append("{\"v\":1,\"type\":\"ping\",\"id\":").append(i).append('}');
        }
        assertThatThrownBy(() -> decoder.decode(utf8(b.append(']').toString()))).isInstanceOf(DecodeException.class)
                .hasMessageContaining("at most 100");
    }

    @Test
    void fieldProblemsAreRejectedWithTheIdWhenReadable() throws Exception {
        Rejected r = (Rejected) decoder.decode(utf8("{\"v\":1,\"type\":\"publish\",\"id\":\"9\",\"channel\":5}")).get(0);
        assertThat(r.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(r.id()).isEqualTo(CommandId.of("9"));
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":1,\"v\":1,\"type\":\"ping\",\"id\":1}")).get(0)).message()).contains("duplicate");
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":\"1\",\"type\":\"ping\",\"id\":1}")).get(0)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":99999999999,\"type\":\"ping\",\"id\":1}")).get(0)).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":1,\"type\":\"ping\",\"id\":1.5}")).get(0)).message()).contains("id");
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":1,\"type\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}")).get(0)).message()).contains("longer");
        assertThat(((Rejected) decoder.decode(utf8("{\"v\":1,\"type\":\"subscribe\",\"id\":1,\"channel\":\"c\",\"since\":{\"epoch\":\"e\"}}")).get(0)).message()).contains("since");
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        Envelope e = single("{\"v\":1,\"type\":\"ping\",\"id\":1,\"future\":{\"deep\":[1,{\"x\":2}]}}");
        assertThat(e.type()).isEqualTo(MessageType.PING);
    }

    @Test
    void syntaxErrorsAndShapesThrowTheDocumentedError() {
        for (String bad : List.of("", "   ", "{", "{\"v\":1,", "[{\"v\":1}", "nul", "42", "\"str\"", "{} {}", "{}x", "[1,]", "{\"a\" 1}")) {
            assertThatThrownBy(() -> decoder.decode(utf8(bad))).as(bad).isInstanceOf(DecodeException.class)
                    .satisfies(t -> assertThat(((DecodeException) t).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void nestingBeyondTheLimitIsRefused() throws Exception {
        String ok = "{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payload\":" + "[".repeat(60) + "]".repeat(60) + "}";
        assertThat(single(ok).payload()).hasSize(120);
        String deep = "{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payload\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> decoder.decode(utf8(deep))).isInstanceOf(DecodeException.class).hasMessageContaining("limit");
    }

    @Test
    void numbersOfAnyLengthAreOpaqueInPayloadsAndOutOfRangeInFields() throws Exception {
        String digits = "9".repeat(60_000);
        String payload = "[" + digits + ",-0." + digits + "e-" + digits + ",{\"k\":1" + digits + "E+5}]";
        Envelope e = single("{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payload\":" + payload + "}");
        assertThat(e.payloadText()).isEqualTo(payload);
        assertThat(single("{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payload\":-" + digits + "}").payloadText())
                .isEqualTo("-" + digits);
        // In the envelope's own fields a long number is just a value out of range, said in our words.
        List<Decoded> d = decoder.decode(utf8("{\"v\":1,\"type\":\"history\",\"id\":1,\"channel\":\"c\",\"limit\":" + digits + "}"));
        assertThat(((Rejected) d.get(0)).message()).isEqualTo("limit is out of range");
        d = decoder.decode(utf8("{\"v\":" + digits + ",\"type\":\"ping\",\"id\":1}"));
        assertThat(((Rejected) d.get(0)).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        d = decoder.decode(utf8("{\"v\":1,\"type\":\"ping\",\"id\":" + digits + "}"));
        assertThat(((Rejected) d.get(0)).message()).contains("id is longer than");
    }

    @Test
    void randomBytesNeverThrowAnythingButDecodeException() {
        Random rnd = new Random(20261124);
        byte[] seed = EnvelopeEncoder.encode(examples().get(2));
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[rnd.nextInt(64)];
                rnd.nextBytes(input);
            } else {
                // Mutations of a valid frame: flip, drop or duplicate bytes.
                input = seed.clone();
                for (int m = 0; m < 1 + rnd.nextInt(4); m++) {
                    int at = rnd.nextInt(input.length);
                    input[at] = (byte) (rnd.nextInt(3) == 0 ? "{}[]\",:\\".charAt(rnd.nextInt(8)) : rnd.nextInt(256));
                }
            }
            try {
                for (Decoded d : decoder.decode(input)) {
                    assertThat(d).isNotNull();
                    if (d instanceof Envelope e && e.payload() != null) {
                        // A payload that got through is itself well-formed JSON.
                        decoder.decode(utf8("{\"v\":1,\"type\":\"ack\",\"payload\":" + e.payloadText() + "}"));
                    }
                }
            } catch (DecodeException expected) {
                assertThat(expected.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            }
        }
    }

    @Test
    void channelNameRules() {
        assertThat(ChannelNames.isValid("chat:lobby")).isTrue();
        assertThat(ChannelNames.isValid("dm:#alice,bob")).isTrue();
        assertThat(ChannelNames.isValid("a/b.c-d_e=f@g")).isTrue();
        assertThat(ChannelNames.isValid("")).isFalse();
        assertThat(ChannelNames.isValid(":x")).isFalse();
        assertThat(ChannelNames.isValid("with space")).isFalse();
        assertThat(ChannelNames.isValid("x".repeat(255))).isTrue();
        assertThat(ChannelNames.isValid("x".repeat(256))).isFalse();
        assertThat(ChannelNames.namespace("chat:lobby:x")).isEqualTo("chat");
        assertThat(ChannelNames.namespace("lobby")).isEmpty();
    }

    @Test
    void closeCodeReconnectRule() {
        assertThat(CloseCode.shouldReconnect(1001)).isTrue();
        assertThat(CloseCode.shouldReconnect(1006)).isTrue();
        assertThat(CloseCode.shouldReconnect(4000)).isTrue();
        assertThat(CloseCode.shouldReconnect(4499)).isTrue();
        assertThat(CloseCode.shouldReconnect(4500)).isFalse();
        assertThat(CloseCode.shouldReconnect(1000)).isFalse();
        assertThat(CloseCode.shouldReconnect(1009)).isFalse();
        for (CloseCode c : CloseCode.values()) {
            if (c.code() >= 4500) {
                assertThat(c.shouldReconnect()).as(c.name()).isFalse();
            }
        }
    }

    @Test
    void commandRules() throws Exception {
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"pong\"}"))).isNull();
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"ping\"}")).message()).contains("missing id");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"ack\",\"id\":1}")).code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\"}")).message()).contains("payload");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"refresh\",\"id\":1}")).message()).contains("token");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"rpc\",\"id\":1}")).message()).contains("missing method");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"rpc\",\"id\":1,\"method\":\"a b\"}")).message()).contains("only A-Z");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"rpc\",\"id\":1,\"method\":\"" + "m".repeat(65) + "\"}")).message())
                .contains("longer than 64");
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"rpc\",\"id\":1,\"method\":\"chat.who\"}"))).isNull();
        assertThat(Commands.check(single("{\"v\":1,\"type\":\"subscribe\",\"id\":1,\"channel\":\"a b\"}")).code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
    }
}
