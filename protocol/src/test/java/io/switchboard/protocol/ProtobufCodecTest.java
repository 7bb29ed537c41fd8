package io.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.switchboard.protocol.proto.Position;
import io.switchboard.protocol.proto.Type;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The binary codec: every v1 type has its number in the schema, envelopes survive a round trip through the
 * generated classes, the decoding rules match the JSON ones, and (the fuzz) no input, random or a mutated
 * valid frame, makes the decoder fail in any way but a {@link DecodeException}.
 */
class ProtobufCodecTest {

    final ProtobufCodec codec = new ProtobufCodec();

    static byte[] frame(io.switchboard.protocol.proto.Envelope... envs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (io.switchboard.protocol.proto.Envelope e : envs) {
            e.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }

    static io.switchboard.protocol.proto.Envelope.Builder pe(Type t) {
        return io.switchboard.protocol.proto.Envelope.newBuilder().setType(t);
    }

    @Test
    void everyTypeOfV1HasItsNumberInTheSchema() {
        for (MessageType t : MessageType.values()) {
            assertThat(Type.valueOf(t.name()).getNumber()).as("%s", t).isPositive();
        }
        assertThat(Type.values()).hasSize(MessageType.values().length + 2); // + TYPE_UNSPECIFIED, UNRECOGNIZED
    }

    @Test
    void aCommandDecodesToTheSameEnvelopeAsItsJsonForm() throws Exception {
        byte[] f = frame(pe(Type.SUBSCRIBE).setId("s1").setChannel("chat:a")
                .setSince(Position.newBuilder().setEpoch("E").setOffset(4)).build());
        Envelope fromJson = (Envelope) new EnvelopeDecoder().decode(
                "{\"v\":1,\"type\":\"subscribe\",\"id\":\"s1\",\"channel\":\"chat:a\",\"since\":{\"epoch\":\"E\",\"offset\":4}}"
                        .getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(codec.decode(f)).containsExactly(fromJson);
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws Exception {
        Envelope e = Envelope.builder(MessageType.MESSAGE).id(CommandId.of(12)).channel("c").payload(new byte[] {0, -1, 7})
                .since(new StreamPosition("e", 3)).offset(9L).epoch("ep").ts(1767225600123L).from("ann").token("t")
                .idempotencyKey("k").limit(5).reverse(true).cursor("cur").code("bad_request").message("m").retryable(false)
                .build();
        List<Decoded> back = codec.decode(ProtobufCodec.encode(e));
        assertThat(back).containsExactly(e);
        assertThat(codec.decode(ProtobufCodec.encode(List.of(e, e)))).containsExactly(e, e);
    }

    @Test
    void theExampleOfTheProtocolPageIsWhatTheCodecWrites() throws Exception {
        // docs/protocol.md 14.1: a ping with id "1" is 05 10 07 1A 01 31.
        byte[] bytes = java.util.HexFormat.of().parseHex("0510071a0131");
        assertThat(ProtobufCodec.encode(Envelope.builder(MessageType.PING).id("1").build())).isEqualTo(bytes);
        assertThat(codec.decode(bytes)).containsExactly(Envelope.builder(MessageType.PING).id("1").build());
    }

    /** The bytes server/src/test/js/switchboard-protobuf.test.mjs checks the browser codec against. */
    @Test
    void theBrowserClientsFixturesAreWhatTheCodecWrites() {
        Envelope m1 = Envelope.builder(MessageType.MESSAGE).channel("chat:a").offset(7L).epoch("E1").ts(1767225600123L).from("bob")
                .payload(new byte[] {0, (byte) 0xFF}).build();
        Envelope m2 = Envelope.builder(MessageType.MESSAGE).channel("chat:a").ts(1767225600124L)
                .payload("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build();
        Envelope ack = Envelope.ack(CommandId.of(3), "{\"offset\":7}".getBytes(StandardCharsets.UTF_8));
        assertThat(java.util.HexFormat.of().formatHex(ProtobufCodec.encode(List.of(m1, m2, ack)))).isEqualTo(
                "20100c2a06636861743a61320200ff40074a02453150fbd0eab6b7335a03626f621a100c2a06636861743a6132077b2261223a317d"
                        + "50fcd0eab6b73312100a2003320c7b226f6666736574223a377d");
        Envelope sub = Envelope.builder(MessageType.SUBSCRIBE).id(CommandId.of(2)).channel("chat:a")
                .since(new StreamPosition("E1", 5)).build();
        assertThat(java.util.HexFormat.of().formatHex(ProtobufCodec.encode(sub))).isEqualTo("14100120022a06636861743a613a060a0245311005");
    }

    @Test
    void envelopeRulesFollowTheJsonOnes() throws Exception {
        assertThat(rejected(pe(Type.PING).setId("1").setV(2))).isEqualTo(new Rejected(CommandId.of("1"), ErrorCode.UNSUPPORTED_VERSION, "this server speaks v 1 only"));
        assertThat(rejected(io.switchboard.protocol.proto.Envelope.newBuilder().setId("2")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected(io.switchboard.protocol.proto.Envelope.newBuilder().setTypeValue(1000).setId("3")).code())
                .isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(rejected(pe(Type.PING).setId("x".repeat(65))).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected(pe(Type.HISTORY).setId("4").setChannel("c").setLimit(-1)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected(pe(Type.HISTORY).setId("5").setChannel("c").setLimit(1L << 31)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected(pe(Type.HISTORY).setId("6").setChannel("c").setSince(Position.newBuilder().setEpoch("e")))
                .message()).contains("since");
        // An empty payload is a payload (of zero bytes), unlike an absent one.
        Envelope p = (Envelope) codec.decode(frame(pe(Type.PUBLISH).setId("7").setChannel("c").setPayload(ByteString.EMPTY).build())).get(0);
        assertThat(p.payload()).isEmpty();
        assertThat(Commands.check(p)).isNull();
        Envelope absent = (Envelope) codec.decode(frame(pe(Type.PUBLISH).setId("8").setChannel("c").build())).get(0);
        assertThat(Commands.check(absent).message()).isEqualTo("missing payload");
    }

    private Rejected rejected(io.switchboard.protocol.proto.Envelope.Builder b) throws Exception {
        List<Decoded> d = codec.decode(frame(b.build()));
        assertThat(d).hasSize(1);
        return (Rejected) d.get(0);
    }

    @Test
    void framesBrokenAsAWholeAreRefusedWhole() throws Exception {
        byte[] ok = frame(pe(Type.PING).setId("1").build());
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(DecodeException.class).hasMessage("empty frame");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0x80})).isInstanceOf(DecodeException.class);
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(DecodeException.class);
        byte[] okThenGarbage = java.util.Arrays.copyOf(ok, ok.length + 2);
        okThenGarbage[ok.length] = 1;
        okThenGarbage[ok.length + 1] = (byte) 0xFF; // an envelope of one byte that is not a valid field
        assertThatThrownBy(() -> codec.decode(okThenGarbage)).as("nothing of a broken frame is returned")
                .isInstanceOf(DecodeException.class);
        // A string that is not UTF-8.
        byte[] badUtf8 = {4, 0x2A, 2, (byte) 0xC3, 0x28};
        assertThatThrownBy(() -> codec.decode(badUtf8)).isInstanceOf(DecodeException.class);
        io.switchboard.protocol.proto.Envelope[] many = new io.switchboard.protocol.proto.Envelope[101];
        java.util.Arrays.fill(many, pe(Type.PING).setId("1").build());
        assertThatThrownBy(() -> codec.decode(frame(many))).hasMessageContaining("at most 100");
        assertThat(codec.decode(frame(java.util.Arrays.copyOf(many, 100)))).hasSize(100);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        byte[] ping = pe(Type.PING).setId("u").build().toByteArray();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(ping);
        body.write(new byte[] {(byte) 0xF8, 0x07, 0x2A}); // field 127, varint 42: not in the schema
        byte[] b = body.toByteArray();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b.length);
        f.write(b);
        assertThat(((Envelope) codec.decode(f.toByteArray()).get(0)).id()).isEqualTo(CommandId.of("u"));
    }

    // ---- the fuzz ---------------------------------------------------------------------------------------

    static final int FUZZ_FRAMES = Integer.getInteger("fuzz.frames", 50_000);

    @Test
    void randomAndMutatedFramesOnlyEverGiveEnvelopesRejectionsOrADecodeException() throws Exception {
        Random rnd = new Random(Long.getLong("fuzz.seed", 20261202L));
        byte[][] valid = {
            frame(pe(Type.SUBSCRIBE).setId("1").setChannel("chat:fz").setSince(Position.newBuilder().setEpoch("e").setOffset(3)).build()),
            frame(pe(Type.PUBLISH).setIdNumber(2).setChannel("fz").setPayload(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xFF}))
                    .setIdempotencyKey("k").build()),
            frame(pe(Type.HISTORY).setId("3").setChannel("chat:fz").setLimit(5).setReverse(true).build()),
            frame(pe(Type.PRESENCE).setId("4").setChannel("chat:fz").setCursor("c").setLimit(0).build()),
            frame(pe(Type.REFRESH).setId("5").setToken("a.b.c").build()),
            frame(pe(Type.PING).setId("6").build(), pe(Type.PONG).build()),
        };
        int envelopes = 0;
        int refused = 0;
        for (int i = 0; i < FUZZ_FRAMES; i++) {
            byte[] f;
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    f = new byte[rnd.nextInt(120)];
                    rnd.nextBytes(f);
                }
                case 1 -> { // a valid frame with bytes changed, inserted or cut
                    f = valid[rnd.nextInt(valid.length)].clone();
                    for (int m = 0; m < 1 + rnd.nextInt(4); m++) {
                        f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                    }
                }
                case 2 -> {
                    byte[] v = valid[rnd.nextInt(valid.length)];
                    f = java.util.Arrays.copyOf(v, rnd.nextInt(v.length + 8));
                }
                default -> { // several valid frames one after the other, one of them bit-flipped
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int k = 0; k < 1 + rnd.nextInt(5); k++) {
                        out.write(valid[rnd.nextInt(valid.length)]);
                    }
                    f = out.toByteArray();
                    int at = rnd.nextInt(f.length);
                    f[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            try {
                List<Decoded> d = codec.decode(f);
                assertThat(d).isNotEmpty().hasSizeLessThanOrEqualTo(100);
                for (Decoded x : d) {
                    if (x instanceof Envelope e) {
                        envelopes++;
                        // Whatever decoded encodes back to the same envelope.
                        assertThat(codec.decode(ProtobufCodec.encode(e))).containsExactly(e);
                    } else {
                        assertThat(((Rejected) x).code()).isNotNull();
                    }
                }
            } catch (DecodeException e) {
                refused++;
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            }
        }
        assertThat(envelopes).as("the fuzz reaches the envelope rules").isGreaterThan(FUZZ_FRAMES / 10);
        assertThat(refused).as("and the frame-level refusals").isGreaterThan(FUZZ_FRAMES / 10);
    }
}
