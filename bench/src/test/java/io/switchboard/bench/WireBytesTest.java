package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.proto.Envelope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire-bytes figures are sizes of real envelopes: each format's bytes decode back to the delivery. */
class WireBytesTest {

    @Test
    void theFiguresAreTheEncodedSizesOfTheSamePush() {
        List<WireBytes.Row> rows = WireBytes.rows(100);
        assertThat(rows).hasSize(4);
        // A binary payload costs JSON clients base64 (a third more) and Protobuf clients nothing extra.
        WireBytes.Row json = rows.get(0);
        WireBytes.Row binary = rows.get(2);
        assertThat(binary.json() - json.json()).as("base64 of 100 bytes is 136 characters, field name 7 longer")
                .isEqualTo(136 + 2 - 100 + "payloadBase64".length() - "payload".length());
        assertThat(binary.protobuf()).isEqualTo(json.protobuf());
        assertThat(rows.get(1).protobuf()).isGreaterThan(json.protobuf());
    }

    @Test
    void theProtobufFigureIsOneDelimitedEnvelope() throws Exception {
        byte[] one = io.switchboard.protocol.WireFormat.PROTOBUF.encode(io.switchboard.protocol.Envelope
                .builder(io.switchboard.protocol.MessageType.MESSAGE).channel("fanout").ts(1L).payload(new byte[] {1}).build());
        Envelope e = Envelope.parseDelimitedFrom(new java.io.ByteArrayInputStream(one));
        assertThat(e.getChannel()).isEqualTo("fanout");
        assertThat(e.getSerializedSize() + 1).isEqualTo(one.length);
    }
}
