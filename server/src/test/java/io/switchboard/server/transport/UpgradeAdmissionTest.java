package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The admission decision of RFC 6455 4.2.1 and 4.2.2, without a socket. */
class UpgradeAdmissionTest {

    private static HttpHeaders valid() {
        return new DefaultHttpHeaders().set("Host", "127.0.0.1:8080").set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").set("Sec-WebSocket-Version", "13");
    }

    private static HttpResponseStatus status(HttpMethod m, HttpVersion v, HttpHeaders h) {
        UpgradeAdmission.Refusal r = UpgradeAdmission.check(m, v, h);
        return r == null ? HttpResponseStatus.SWITCHING_PROTOCOLS : r.status();
    }

    private static HttpResponseStatus status(HttpHeaders h) {
        return status(HttpMethod.GET, HttpVersion.HTTP_1_1, h);
    }

    @Test
    void aVersion13HandshakeIsAdmitted() {
        assertThat(UpgradeAdmission.check(HttpMethod.GET, HttpVersion.HTTP_1_1, valid())).isNull();
        // Header values are case-insensitive tokens, and Connection is a list.
        assertThat(status(valid().set("Upgrade", "WebSocket").set("Connection", "keep-alive, upgrade")))
                .isEqualTo(HttpResponseStatus.SWITCHING_PROTOCOLS);
        assertThat(status(valid().set("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(new byte[16]))))
                .isEqualTo(HttpResponseStatus.SWITCHING_PROTOCOLS);
    }

    @Test
    void everyOtherVersionIs426() {
        for (String v : new String[] {"0", "7", "8", "12", "14", "", "13, 8", "thirteen"}) {
            UpgradeAdmission.Refusal r = UpgradeAdmission.check(HttpMethod.GET, HttpVersion.HTTP_1_1, valid().set("Sec-WebSocket-Version", v));
            assertThat(r).as(v).isNotNull();
            assertThat(r.versionRequired()).as(v).isTrue();
        }
        assertThat(status(valid().remove("Sec-WebSocket-Version"))).isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        assertThat(status(valid().add("Sec-WebSocket-Version", "8"))).isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        // Hixie-76: no version, no Sec-WebSocket-Key, two numbered keys instead.
        HttpHeaders hixie = valid().remove("Sec-WebSocket-Version").remove("Sec-WebSocket-Key")
                .set("Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5").set("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00");
        assertThat(status(hixie)).isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
    }

    @Test
    void malformedRequestsAre400() {
        HttpResponseStatus bad = HttpResponseStatus.BAD_REQUEST;
        assertThat(status(valid().remove("Sec-WebSocket-Key"))).isEqualTo(bad);
        assertThat(status(valid().add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="))).isEqualTo(bad);
        for (String key : new String[] {"", "abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=",
                Base64.getEncoder().encodeToString(new byte[15]), Base64.getEncoder().encodeToString(new byte[17]),
                "!!!!!!!!!!!!!!!!!!!!!!=="}) {
            assertThat(status(valid().set("Sec-WebSocket-Key", key))).as(key).isEqualTo(bad);
        }
        assertThat(status(valid().remove("Host"))).isEqualTo(bad);
        assertThat(status(valid().set("Host", ""))).isEqualTo(bad);
        assertThat(status(valid().remove("Upgrade"))).isEqualTo(bad);
        assertThat(status(valid().set("Upgrade", "h2c"))).isEqualTo(bad);
        assertThat(status(valid().set("Connection", "keep-alive"))).isEqualTo(bad);
        assertThat(status(HttpMethod.POST, HttpVersion.HTTP_1_1, valid())).isEqualTo(bad);
        assertThat(status(HttpMethod.GET, HttpVersion.HTTP_1_0, valid())).isEqualTo(bad);
        // Malformed beats an unknown version: a request that is broken anyway is not told to upgrade.
        assertThat(status(HttpMethod.GET, HttpVersion.HTTP_1_0, valid().set("Sec-WebSocket-Version", "8"))).isEqualTo(bad);
    }

    @Test
    void messagesAreTheProjectsOwn() {
        for (HttpHeaders h : new HttpHeaders[] {valid().remove("Host"), valid().set("Sec-WebSocket-Version", "8"),
                valid().set("Sec-WebSocket-Key", "x")}) {
            assertThat(UpgradeAdmission.check(HttpMethod.GET, HttpVersion.HTTP_1_1, h).message()).doesNotContainIgnoringCase("netty");
        }
    }
}
