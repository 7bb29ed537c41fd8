package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.switchboard.server.config.Cidr;
import io.switchboard.server.config.ProxyConfig;
import io.switchboard.server.config.ProxyConfig.ForwardedHeader;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** X-Forwarded-For and Forwarded: reading the hops, choosing the right-most untrusted one, and fuzzing both readers. */
class ForwardedHeadersTest {

    private static final ProxyConfig LB = ProxyConfig.DEFAULT.withTrusted(ProxyConfig.parseTrusted(List.of("10.0.0.0/8")));

    private static String xff(String peer, String... values) {
        return Cidr.literal(ForwardedHeaders.client(Cidr.address(peer), ForwardedHeaders.xForwardedFor(List.of(values)), LB));
    }

    private static String fwd(String peer, String... values) {
        return Cidr.literal(ForwardedHeaders.client(Cidr.address(peer), ForwardedHeaders.forwarded(List.of(values)), LB));
    }

    @Test
    void theClientIsTheRightMostHopThatIsNotATrustedProxy() {
        assertThat(xff("10.0.0.5", "203.0.113.7")).isEqualTo("203.0.113.7");
        // The client wrote the left part itself: only what trusted proxies appended is believed.
        assertThat(xff("10.0.0.5", "198.51.100.1, 203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(xff("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.1.1.1")).as("a chain of trusted proxies").isEqualTo("203.0.113.7");
        assertThat(xff("10.0.0.5", "198.51.100.1", "203.0.113.7")).as("several header lines are one list").isEqualTo("203.0.113.7");
        assertThat(xff("10.0.0.5", "10.2.2.2, 10.1.1.1")).as("all trusted: the left-most").isEqualTo("10.2.2.2");
        assertThat(xff("10.0.0.5", "203.0.113.7:4711")).isEqualTo("203.0.113.7");
        assertThat(xff("10.0.0.5", "[2001:db8::7]:4711")).isEqualTo("2001:db8::7");
        assertThat(xff("10.0.0.5", "2001:db8::7")).isEqualTo("2001:db8::7");
        // What is not an address ends the walk at the last address known: the proxy that passed it on.
        assertThat(xff("10.0.0.5", "203.0.113.7, unknown")).isEqualTo("10.0.0.5");
        assertThat(xff("10.0.0.5", "203.0.113.7, 10.1.1.1, garbage")).isEqualTo("10.0.0.5");
        assertThat(xff("10.0.0.5", "203.0.113.7, garbage, 10.1.1.1")).isEqualTo("10.1.1.1");
        assertThat(xff("10.0.0.5", "")).isEqualTo("10.0.0.5");
        // From a peer that is not trusted nothing is read.
        assertThat(xff("192.0.2.44", "203.0.113.7")).isEqualTo("192.0.2.44");
    }

    @Test
    void forwardedReadsTheForParameterOfEachElement() {
        assertThat(fwd("10.0.0.5", "for=203.0.113.7;proto=https;by=10.0.0.5")).isEqualTo("203.0.113.7");
        assertThat(fwd("10.0.0.5", "for=198.51.100.1, For=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe::17");
        assertThat(fwd("10.0.0.5", "for=198.51.100.1;by=\"a,b\", for=10.1.1.1")).as("a comma inside quotes").isEqualTo("198.51.100.1");
        assertThat(fwd("10.0.0.5", "for=\"203.0.113.7:80\"")).isEqualTo("203.0.113.7");
        assertThat(fwd("10.0.0.5", "for=unknown")).isEqualTo("10.0.0.5");
        assertThat(fwd("10.0.0.5", "for=_hidden, for=203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(fwd("10.0.0.5", "proto=https")).as("no for=").isEqualTo("10.0.0.5");
        assertThat(fwd("10.0.0.5", "for=203.0.113.7;for=198.51.100.1")).as("two for= in one element").isEqualTo("10.0.0.5");
        assertThat(fwd("10.0.0.5", "for=\"203.0.113.7")).as("an open quote").isEqualTo("10.0.0.5");
        assertThat(fwd("10.0.0.5", "for=[2001:db8::1]")).as("brackets need quotes, but are read").isEqualTo("2001:db8::1");
    }

    @Test
    void onlyTheConfiguredHeaderIsRead() {
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
        ch.attr(ClientAddress.PROXIED).set(Cidr.address("10.0.0.5"));
        io.netty.handler.codec.http.HttpHeaders h = new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.7").add("Forwarded", "for=198.51.100.1");
        assertThat(ClientAddress.of(ch, h, LB)).isEqualTo("203.0.113.7");
        assertThat(ClientAddress.of(ch, h, LB.withForwardedHeader(ForwardedHeader.FORWARDED))).isEqualTo("198.51.100.1");
        assertThat(ClientAddress.of(ch, h, LB.withForwardedHeader(ForwardedHeader.NONE))).isEqualTo("10.0.0.5");
        ch.finishAndReleaseAll();
    }

    @Test
    void fuzzedHeadersNeverThrowAndNeverNameAnAddressThatWasNotInThem() {
        Random r = new Random(7);
        String alphabet = "0123456789abcdef:.,;=\"[]\\ forFOR_unknown";
        String[] seeds = {"for=203.0.113.7", "203.0.113.7, 10.1.1.1", "for=\"[2001:db8::1]:80\"", "10.0.0.1:8080"};
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder(r.nextBoolean() ? seeds[r.nextInt(seeds.length)] : "");
            int n = r.nextInt(40);
            for (int j = 0; j < n; j++) {
                int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
                b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String v = b.toString();
            for (List<byte[]> hops : List.of(ForwardedHeaders.xForwardedFor(List.of(v)), ForwardedHeaders.forwarded(List.of(v)))) {
                assertThat(hops.size()).isLessThanOrEqualTo(ForwardedHeaders.MAX_HOPS);
                byte[] client = ForwardedHeaders.client(Cidr.address("10.0.0.5"), hops, LB);
                assertThat(client).as(v).isNotNull();
                assertThat(client.length == 4 || client.length == 16).as(v).isTrue();
            }
        }
        StringBuilder longChain = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            longChain.append("10.9.").append(i / 250).append('.').append(i % 250).append(", ");
        }
        longChain.append("10.0.0.9");
        assertThat(ForwardedHeaders.xForwardedFor(List.of(longChain.toString()))).hasSize(ForwardedHeaders.MAX_HOPS);
    }
}
