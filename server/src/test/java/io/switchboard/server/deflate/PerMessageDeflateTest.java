package io.switchboard.server.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.switchboard.server.config.CompressionConfig;
import io.switchboard.server.metrics.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The negotiation's answers to offers, without sockets (RFC 7692 section 5 and 7.1). */
class PerMessageDeflateTest {

    private static final Metrics METRICS = new Metrics();
    private static final PerMessageDeflate ON = new PerMessageDeflate(CompressionConfig.DEFAULT.withEnabled(true), 65536, METRICS.compression());
    private static final String BASE = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    @AfterAll
    static void close() {
        METRICS.close();
    }

    private static String answer(PerMessageDeflate p, String... offers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (String o : offers) {
            h.add("Sec-WebSocket-Extensions", o);
        }
        PerMessageDeflate.Agreement a = p.negotiate(h);
        return a == null ? null : a.response();
    }

    @Test
    void acceptsWhatBrowsersAndLibrariesOffer() {
        assertThat(answer(ON, "permessage-deflate; client_max_window_bits")).isEqualTo(BASE); // Chromium, ws, websockets
        assertThat(answer(ON, "permessage-deflate")).isEqualTo(BASE);
        assertThat(answer(ON, "permessage-deflate; server_no_context_takeover; client_no_context_takeover")).isEqualTo(BASE);
        assertThat(answer(ON, "permessage-deflate; client_max_window_bits=12")).isEqualTo(BASE);
        assertThat(answer(ON, "PerMessage-Deflate")).isEqualTo(BASE);
    }

    @Test
    void aSmallServerWindowIsEchoedAndLimitsWhatIsCompressed() {
        HttpHeaders h = new DefaultHttpHeaders().add("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=9");
        PerMessageDeflate.Agreement a = ON.negotiate(h);
        assertThat(a.response()).isEqualTo(BASE + "; server_max_window_bits=9");
        assertThat(a.deflation().wants(512)).isTrue();
        assertThat(a.deflation().wants(513)).as("longer than the window").isFalse();
        assertThat(a.deflation().wants(255)).as("under the threshold").isFalse();
    }

    @Test
    void skipsOffersItCannotAcceptAndTakesTheNextOne() {
        assertThat(answer(ON, "permessage-deflate; server_max_window_bits=16")).isNull();
        assertThat(answer(ON, "permessage-deflate; server_max_window_bits=7")).isNull();
        assertThat(answer(ON, "permessage-deflate; server_max_window_bits")).isNull();
        assertThat(answer(ON, "permessage-deflate; client_max_window_bits=20")).isNull();
        assertThat(answer(ON, "permessage-deflate; server_no_context_takeover=1")).isNull();
        assertThat(answer(ON, "permessage-deflate; mystery")).isNull();
        assertThat(answer(ON, "permessage-deflate; client_max_window_bits; client_max_window_bits")).isNull();
        assertThat(answer(ON, "x-webkit-deflate-frame")).isNull();
        assertThat(answer(ON, "permessage-deflate; mystery, permessage-deflate; client_max_window_bits")).isEqualTo(BASE);
        assertThat(answer(ON, "foo", "permessage-deflate; server_max_window_bits=10")).isEqualTo(BASE + "; server_max_window_bits=10");
    }

    @Test
    void offDeclinesEveryOffer() {
        PerMessageDeflate off = new PerMessageDeflate(CompressionConfig.DEFAULT, 65536, METRICS.compression());
        assertThat(answer(off, "permessage-deflate; client_max_window_bits")).isNull();
    }
}
