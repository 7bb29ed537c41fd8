package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.switchboard.server.config.Cidr;
import io.switchboard.server.config.ProxyConfig;
import io.switchboard.server.config.ProxyConfig.ProxyProtocol;
import io.switchboard.server.metrics.Metrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PROXY protocol gate on an embedded channel: who may send a header, what it changes, and fuzzed headers. */
class ProxyProtocolGateTest {

    private static final ProxyConfig TRUST_10 = ProxyConfig.DEFAULT.withTrusted(ProxyConfig.parseTrusted(List.of("10.0.0.0/8")));
    private static final String ALPHABET = "0123456789.: \r\nPROXYTCP46";
    private static final byte[] REQUEST = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** An embedded channel whose peer is {@code peer}, with the gate first. */
    private static EmbeddedChannel channel(String peer, ProxyConfig cfg, Metrics metrics) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(peer, 40000);
            }
        };
        ch.pipeline().addLast("proxy-gate", new ProxyProtocolGate(cfg, metrics));
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    private static byte[] v2(String source) {
        HAProxyProxiedProtocol p = source.contains(":") ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4;
        String dest = source.contains(":") ? "::1" : "10.0.0.1";
        EmbeddedChannel enc = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        enc.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, p, source, dest, 5678, 80));
        ByteBuf b = enc.readOutbound();
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** What the gate passed on, as text; "" when nothing. */
    private static String passed(EmbeddedChannel ch) {
        StringBuilder s = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            s.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return s.toString();
    }

    private static double refused(Metrics m, String reason) {
        return m.registry().find("switchboard.proxy.refused").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aTrustedPeersHeaderNamesTheClientAndTheRequestGoesOn() {
        for (byte[] header : List.of(v2("203.0.113.7"), "PROXY TCP4 203.0.113.7 10.0.0.1 5678 80\r\n".getBytes(StandardCharsets.US_ASCII))) {
            EmbeddedChannel ch = channel("10.0.0.5", TRUST_10, new Metrics());
            byte[] all = concat(header, REQUEST);
            for (byte b : all) { // one byte at a time: the gate and the decoder must wait for the rest
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
            assertThat(Cidr.literal(ClientAddress.connection(ch))).isEqualTo("203.0.113.7");
            assertThat(passed(ch)).isEqualTo(new String(REQUEST, StandardCharsets.US_ASCII));
            assertThat(ch.pipeline().get(ProxyProtocolGate.class)).isNull();
            assertThat(ch.isOpen()).isTrue();
            ch.checkException();
            ch.finishAndReleaseAll();
        }
        EmbeddedChannel v6 = channel("10.0.0.5", TRUST_10, new Metrics());
        v6.writeInbound(Unpooled.wrappedBuffer(concat(v2("2001:db8::7"), REQUEST)));
        assertThat(Cidr.literal(ClientAddress.connection(v6))).isEqualTo("2001:db8::7");
        v6.finishAndReleaseAll();
    }

    @Test
    void withoutAHeaderTheConnectionKeepsItsPeerUnlessTheHeaderIsRequired() {
        EmbeddedChannel auto = channel("10.0.0.5", TRUST_10, new Metrics());
        auto.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        assertThat(Cidr.literal(ClientAddress.connection(auto))).isEqualTo("10.0.0.5");
        assertThat(passed(auto)).startsWith("GET /healthz");
        auto.finishAndReleaseAll();

        Metrics m = new Metrics();
        EmbeddedChannel on = channel("10.0.0.5", TRUST_10.withProxyProtocol(ProxyProtocol.ON), m);
        on.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        assertThat(on.isOpen()).isFalse();
        assertThat(passed(on)).isEmpty();
        assertThat(refused(m, "missing")).isEqualTo(1);

        EmbeddedChannel direct = channel("192.0.2.1", TRUST_10.withProxyProtocol(ProxyProtocol.ON), new Metrics());
        direct.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        assertThat(direct.isOpen()).as("a client that is not a proxy is served directly").isTrue();
        assertThat(passed(direct)).startsWith("GET /healthz");
        direct.finishAndReleaseAll();
    }

    @Test
    void aHeaderFromAnUntrustedPeerOrWithOffIsRefused() {
        Metrics m = new Metrics();
        EmbeddedChannel spoof = channel("192.0.2.1", TRUST_10, m);
        spoof.writeInbound(Unpooled.wrappedBuffer(concat(v2("203.0.113.7"), REQUEST)));
        assertThat(spoof.isOpen()).isFalse();
        assertThat(passed(spoof)).isEmpty();
        assertThat(ClientAddress.connection(spoof)).isEqualTo(Cidr.address("192.0.2.1"));
        EmbeddedChannel off = channel("10.0.0.5", TRUST_10.withProxyProtocol(ProxyProtocol.OFF), m);
        off.writeInbound(Unpooled.wrappedBuffer("PROXY TCP4 203.0.113.7 10.0.0.1 5678 80\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(off.isOpen()).isFalse();
        assertThat(refused(m, "untrusted")).isEqualTo(2);
    }

    @Test
    void theSniffWaitsOnlyWhileTheBytesCouldStillBeASignature() {
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer("PRO".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(ProxyProtocolGate.Sniff.TOO_FEW_BYTES);
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer("PROXY ".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(ProxyProtocolGate.Sniff.PROXY);
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer("GE".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(ProxyProtocolGate.Sniff.NOT_PROXY);
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01}))).as("a TLS hello")
                .isEqualTo(ProxyProtocolGate.Sniff.NOT_PROXY);
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer(new byte[] {0x0D, 0x0A, 0x0D})))
                .isEqualTo(ProxyProtocolGate.Sniff.TOO_FEW_BYTES);
        assertThat(ProxyProtocolGate.sniff(Unpooled.wrappedBuffer(java.util.Arrays.copyOf(v2("203.0.113.7"), 12))))
                .isEqualTo(ProxyProtocolGate.Sniff.PROXY);
    }

    @Test
    void fuzzedHeadersFromATrustedPeerCloseOrPassButNeverThrow() {
        Random r = new Random(11);
        byte[][] seeds = {v2("203.0.113.7"), v2("2001:db8::7"), "PROXY TCP4 203.0.113.7 10.0.0.1 5678 80\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP6 2001:db8::7 ::1 5678 80\r\n".getBytes(StandardCharsets.US_ASCII), "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII)};
        int closed = 0;
        int named = 0;
        Metrics m = new Metrics(); // one registry for all: making one per channel would dominate the run
        for (int i = 0; i < 10_000; i++) {
            byte[] h = seeds[r.nextInt(seeds.length)].clone();
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = 6 + r.nextInt(h.length - 6); // keep the signature's start, so the decoder is reached
                h[at] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : (byte) ALPHABET.charAt(r.nextInt(ALPHABET.length()));
            }
            double before = refused(m, "malformed");
            EmbeddedChannel ch = channel("10.0.0.5", TRUST_10, m);
            ch.writeInbound(Unpooled.wrappedBuffer(concat(h, REQUEST)));
            ch.checkException(); // nothing reaches the end of the pipeline
            if (!ch.isOpen()) {
                closed++;
                assertThat(refused(m, "malformed")).isEqualTo(before + 1);
            } else if (ch.attr(ClientAddress.PROXIED).get() != null) {
                named++;
                byte[] a = ch.attr(ClientAddress.PROXIED).get();
                assertThat(a.length == 4 || a.length == 16).isTrue();
            }
            ch.finishAndReleaseAll();
        }
        assertThat(closed).as("mutations must reach the refusal").isGreaterThan(500);
        assertThat(named).as("and some must still decode").isGreaterThan(50);
    }
}
