package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Address blocks: reading, matching, printing, and that no text makes the reader do anything but refuse. */
class CidrTest {

    private static byte[] ip(String s) throws Exception {
        return InetAddress.getByName(s).getAddress();
    }

    @Test
    void blocksMatchTheirAddressesAndNoOthers() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.contains(ip("10.255.3.4"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.0"))).isFalse();
        Cidr odd = Cidr.parse("192.168.1.77/26"); // host bits are dropped
        assertThat(odd).hasToString("192.168.1.64/26");
        assertThat(odd.contains(ip("192.168.1.64"))).isTrue();
        assertThat(odd.contains(ip("192.168.1.127"))).isTrue();
        assertThat(odd.contains(ip("192.168.1.128"))).isFalse();
        assertThat(odd.contains(ip("192.168.1.63"))).isFalse();
        Cidr one = Cidr.parse("127.0.0.2");
        assertThat(one).hasToString("127.0.0.2");
        assertThat(one.contains(ip("127.0.0.2"))).isTrue();
        assertThat(one.contains(ip("127.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).as("families never mix").isFalse();
        Cidr v6 = Cidr.parse("fd00:0:0:0::/8");
        assertThat(v6).hasToString("fd00::/8");
        assertThat(v6.contains(ip("fdab::1"))).isTrue();
        assertThat(v6.contains(ip("fe80::1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("::1")).hasToString("::1");
        assertThat(Cidr.parse("::ffff:10.1.2.3")).as("IPv4-mapped reads as IPv4").hasToString("10.1.2.3");
        assertThat(Cidr.parse("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1");
    }

    @Test
    void namesAndMalformedBlocksAreRefused() {
        for (String bad : List.of("", " ", "localhost", "example.com", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.01",
                "256.1.1.1", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/8/8", "fe80::1%eth0", "[::1]", "1.2.3.4 /8", "0x7f.0.0.1",
                "2130706433", "1:2:3:4:5:6:7:8:9", "::1::", "1.2.3.4:80")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void trustedProxiesReadNoneAndNameTheOption() {
        assertThat(ProxyConfig.parseTrusted(List.of("none"))).isEmpty();
        assertThat(ProxyConfig.DEFAULT.trustedText()).containsExactly("127.0.0.0/8", "::1");
        assertThat(ProxyConfig.DEFAULT.withTrusted(List.of()).trustedText()).containsExactly("none");
        assertThatThrownBy(() -> ProxyConfig.parseTrusted(List.of("10.0.0.0/8", "lb.internal")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("trusted-proxies");
                    assertThat(e.reason()).isEqualTo("has a bad entry: lb.internal is not an IP address or a block such as 10.0.0.0/8");
                });
    }

    @Test
    void fuzzedTextIsReadOrRefusedAndWhatIsReadReadsBackTheSame() throws Exception {
        Random r = new Random(17);
        String alphabet = "0123456789abcdefABCDEF:./%[]- xg";
        String[] seeds = {"10.0.0.0/8", "::1", "fd00::/8", "192.168.1.1", "2001:db8::1/64", "::ffff:1.2.3.4", "0.0.0.0/0"};
        int read = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder(seeds[r.nextInt(seeds.length)]);
            int n = r.nextInt(4); // 0 to 3 edits: insert, delete or replace one character
            for (int j = 0; j < n && b.length() > 0; j++) {
                int at = r.nextInt(b.length());
                char c = alphabet.charAt(r.nextInt(alphabet.length()));
                switch (r.nextInt(3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> b.deleteCharAt(at);
                    default -> b.setCharAt(at, c);
                }
            }
            Cidr c;
            try {
                c = Cidr.parse(b.toString());
            } catch (IllegalArgumentException e) {
                continue;
            }
            read++;
            assertThat(Cidr.parse(c.toString())).as(b.toString()).isEqualTo(c);
            String host = c.toString().split("/")[0];
            assertThat(c.contains(InetAddress.getByName(host))).as(b.toString()).isTrue();
        }
        assertThat(read).as("the fuzzer must reach valid blocks too").isGreaterThan(10_000);
    }
}
