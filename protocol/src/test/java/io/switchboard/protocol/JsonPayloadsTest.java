package io.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which payloads are JSON (sent as {@code payload} to JSON clients) and which are binary ({@code payloadBase64}). */
class JsonPayloadsTest {

    static boolean json(String s) {
        return JsonPayloads.isJson(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneJsonValueExactlyIsJson() {
        assertThat(json("{\"a\":[1,2.5e3,true,null,\"é\"]}")).isTrue();
        assertThat(json("42")).isTrue();
        assertThat(json("\"text\"")).isTrue();
        assertThat(json("[".repeat(63) + "]".repeat(63))).as("as deep as a publish can carry").isTrue();
    }

    @Test
    void anythingElseIsBinary() {
        assertThat(JsonPayloads.isJson(new byte[0])).isFalse();
        assertThat(json(" 42")).as("white space around it").isFalse();
        assertThat(json("42\n")).isFalse();
        assertThat(json("{} {}")).isFalse();
        assertThat(json("{'a':1}")).isFalse();
        assertThat(json("[".repeat(64) + "]".repeat(64))).as("deeper than any envelope allows").isFalse();
        assertThat(JsonPayloads.isJson(new byte[] {'"', (byte) 0xC3, 0x28, '"'})).as("not UTF-8").isFalse();
        assertThat(JsonPayloads.isJson(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'})).as("a surrogate").isFalse();
        assertThat(JsonPayloads.isJson(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'})).as("overlong").isFalse();
        assertThat(JsonPayloads.isJson(new byte[] {0, 1, 2})).isFalse();
    }

    @Test
    void theJsonCodecCarriesBinaryPayloadsInBase64BothWays() throws Exception {
        byte[] binary = {0, (byte) 0xFF, 'a'};
        Envelope m = Envelope.builder(MessageType.MESSAGE).channel("c").ts(1L).payload(binary).build();
        String text = new String(EnvelopeEncoder.encode(m), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"v\":1,\"type\":\"message\",\"channel\":\"c\",\"ts\":1,\"payloadBase64\":\"AP9h\"}");
        Envelope back = (Envelope) new EnvelopeDecoder().decode(text.getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(back.payload()).isEqualTo(binary);
        Decoded both = new EnvelopeDecoder().decode(
                "{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payload\":1,\"payloadBase64\":\"AA==\"}".getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(both).isInstanceOf(Rejected.class);
        Decoded notBase64 = new EnvelopeDecoder().decode(
                "{\"v\":1,\"type\":\"publish\",\"id\":1,\"channel\":\"c\",\"payloadBase64\":\"*\"}".getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(((Rejected) notBase64).message()).contains("base64");
        // A server-written payload (an ack's) is always written as it is.
        Envelope ack = Envelope.ack(CommandId.of("1"), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(EnvelopeEncoder.encode(ack), StandardCharsets.UTF_8)).endsWith("\"payload\":{}}");
    }
}
