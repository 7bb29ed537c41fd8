package io.switchboard.server.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes nodes exchange: what the Lua scripts put in front of {@link Wire#body} reads back unchanged. */
class WireTest {

    static byte[] message(String header, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Test
    void aPublicationWithHistoryRoundTripsPayloadBytesUntouched() {
        byte[] payload = "{\"text\":\"line one\\nline two\",\"é\":1}\n".getBytes(StandardCharsets.UTF_8);
        byte[] msg = message("m42\nAbCd1234\n1767225600123\n", Wire.body("alice", "sess01", payload));
        assertThat(Wire.isPublication(msg)).isTrue();
        Publication p = Wire.publication("chat:lobby", msg);
        assertThat(p.channel()).isEqualTo("chat:lobby");
        assertThat(p.offset()).isEqualTo(42);
        assertThat(p.epoch()).isEqualTo("AbCd1234");
        assertThat(p.timestamp()).isEqualTo(1767225600123L);
        assertThat(p.from()).isEqualTo("alice");
        assertThat(p.clientId()).isEqualTo("sess01");
        assertThat(p.payload()).isEqualTo(payload);
    }

    @Test
    void aLiveOnlyAnonymousPublicationHasNoPositionAndNoSender() {
        byte[] msg = message("m-1\n\n5\n", Wire.body(null, null, "1".getBytes(StandardCharsets.UTF_8)));
        Publication p = Wire.publication("news", msg);
        assertThat(p.hasPosition()).isFalse();
        assertThat(p.offset()).isEqualTo(-1);
        assertThat(p.from()).isNull();
        assertThat(p.clientId()).isNull();
        assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo("1");
    }

    @Test
    void presenceChangesCarryUserStatusTimeOrderAndCount() {
        byte[] msg = "p0\n99\n99000123\n41\nbob smith".getBytes(StandardCharsets.UTF_8);
        assertThat(Wire.isPresence(msg)).isTrue();
        PresenceUpdate u = Wire.presence("chat:x", msg);
        assertThat(u).isEqualTo(new PresenceUpdate("chat:x", "bob smith", false, 99, 41, 99000123));
    }
}
