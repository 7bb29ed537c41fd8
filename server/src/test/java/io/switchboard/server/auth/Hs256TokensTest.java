package io.switchboard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The quick HS256 path against the full verification, token by token: whatever {@link Hs256Tokens}
 * accepts, the Nimbus path accepts with the same principal; and it does accept the common tokens (else it
 * would be a slower no-op). Tokens: hand-written headers and claims of every kind the full path knows,
 * then 20,000 random mutations of their JSON, each signed again with the secret so that only the JSON
 * decides.
 */
class Hs256TokensTest {

    private static final byte[] SECRET = "hs256-tokens-test-secret-of-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_800_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JwtAuthenticator full = JwtAuthenticator.builder().secret(SECRET).issuer("https://issuer.example")
            .audiences(List.of("switchboard")).clock(CLOCK).quickHs256(false).build();
    private final Hs256Tokens quick = new Hs256Tokens(SECRET, "https://issuer.example", Set.of("switchboard"),
            JwtAuthenticator.CLOCK_SKEW_SECONDS * 1000L, CLOCK);

    private static final List<String> HEADERS = List.of(
            "{\"alg\":\"HS256\"}", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"typ\":\"at+jwt\",\"alg\":\"HS256\"}",
            "{\"alg\":\"HS256\",\"typ\":\"jwt\"}", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"alg\":\"HS384\"}", "{\"alg\":\"none\"}",
            "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", "[]", "{}");

    private static final List<String> CLAIMS = List.of(
            claims("\"sub\":\"alice\",\"exp\":" + (NOW + 60)),
            claims("\"sub\":\"bob\",\"exp\":" + (NOW + 60) + ",\"iat\":" + NOW + ",\"jti\":\"x\",\"channels\":[\"team:*\",\"a:b\"],"
                    + "\"subscribe\":[\"news:all\",\"team:7\"],"
                    + "\"info\":{\"name\":\"Bob\",\"n\":[1,2.5,true,null,{\"x\":\"\\u00e9\"}]}"),
            "{\"iss\":\"https://issuer.example\",\"sub\":\"carol\",\"aud\":[\"other\",\"switchboard\"],\"nbf\":" + (NOW - 10)
                    + ",\"info\":\"plain\",\"extra\":{\"k\":[1]}}",
            claims("\"sub\":\"dave\",\"exp\":" + (NOW - 20)),                    // expired, within the skew
            claims("\"sub\":\"erin\",\"exp\":" + (NOW - 31)),                    // expired
            claims("\"sub\":\"frank\",\"nbf\":" + (NOW + 31)),                   // not yet
            claims("\"sub\":\"\",\"exp\":" + (NOW + 60)),
            claims("\"sub\":\"  \",\"exp\":" + (NOW + 60)),
            claims("\"exp\":" + (NOW + 60)),
            claims("\"sub\":7"),
            claims("\"sub\":\"gina\",\"exp\":\"tomorrow\""),
            claims("\"sub\":\"hal\",\"exp\":" + (NOW + 60) + ".5"),
            claims("\"sub\":\"ivy\",\"channels\":\"a:b\""),
            claims("\"sub\":\"jo\",\"channels\":[\"a\",3]"),
            claims("\"sub\":\"jo\",\"subscribe\":\"news:all\""),
            claims("\"sub\":\"kim\",\"channels\":null,\"info\":null"),
            claims("\"sub\":\"lee\",\"sub\":\"mallory\""),
            claims("\"sub\":\"max\",\"iat\":\"now\""),
            claims("\"sub\":\"ned\",\"jti\":5"),
            "{\"sub\":\"oz\",\"iss\":\"https://other.example\",\"aud\":\"switchboard\"}",
            "{\"sub\":\"pat\",\"aud\":\"switchboard\"}",
            "{\"sub\":\"quinn\",\"iss\":\"https://issuer.example\",\"aud\":\"elsewhere\"}",
            "{\"sub\":\"rae\",\"iss\":\"https://issuer.example\"}",
            "[\"sub\"]", "\"sub\"", "{\"sub\":\"sam\",\"iss\":\"https://issuer.example\",\"aud\":\"switchboard\"} trailing");

    /** Claims with this node's issuer and audience plus {@code more}. */
    private static String claims(String more) {
        return "{\"iss\":\"https://issuer.example\",\"aud\":\"switchboard\"," + more + "}";
    }

    @Test
    void whatTheQuickPathAcceptsTheFullPathAcceptsTheSame() throws Exception {
        int quickAccepted = 0;
        for (String h : HEADERS) {
            for (String c : CLAIMS) {
                quickAccepted += compare(token(h, c)) ? 1 : 0;
            }
        }
        // The plain headers with the valid claim sets (alice, bob, carol, dave): 3 headers × 4.
        StringBuilder missed = new StringBuilder();
        for (String h : HEADERS.subList(0, 3)) {
            for (String c : CLAIMS.subList(0, 4)) {
                if (quick.accept(token(h, c)) == null) {
                    missed.append(h).append(' ').append(c).append('\n');
                }
            }
        }
        assertThat(missed).as("valid tokens the quick path left to the full one").isEmpty();
        assertThat(quickAccepted).isEqualTo(12);
        // A wrong signature is never accepted by the quick path.
        String good = token(HEADERS.get(0), CLAIMS.get(0));
        assertThat(quick.accept(good)).isNotNull();
        assertThat(quick.accept(good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "AB" : "AA"))).isNull();
        assertThat(quick.accept(good + ".x")).isNull();
    }

    @Test
    void mutatedJsonSignedAgainNeverMakesThePathsDisagree() throws Exception {
        Random rnd = new Random(256);
        String alphabet = "{}[]\":,.0123456789-+eE tnulrfasubexpchnlsio\\é";
        int quickAccepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String h = rnd.nextInt(4) == 0 ? mutate(HEADERS.get(rnd.nextInt(3)), rnd, alphabet) : HEADERS.get(rnd.nextInt(3));
            String c = mutate(CLAIMS.get(rnd.nextInt(CLAIMS.size())), rnd, alphabet);
            quickAccepted += compare(token(h, c)) ? 1 : 0;
        }
        assertThat(quickAccepted).as("some mutations stay valid").isPositive();
    }

    /** True when the quick path accepted; fails the test when the full path disagrees with it. */
    private boolean compare(String token) throws Exception {
        Principal q = quick.accept(token);
        if (q == null) {
            return false;
        }
        Principal f;
        try {
            f = full.authenticate(token);
        } catch (AuthException e) {
            throw new AssertionError("the quick path accepted what the full path refuses (" + e.getMessage() + "): " + decode(token));
        }
        assertThat(q.userId()).as(decode(token)).isEqualTo(f.userId());
        assertThat(q.expiresAtMillis()).as(decode(token)).isEqualTo(f.expiresAtMillis());
        assertThat(q.channels()).as(decode(token)).isEqualTo(f.channels());
        assertThat(q.subscribe()).as(decode(token)).isEqualTo(f.subscribe());
        assertThat(q.anonymous()).as(decode(token)).isEqualTo(f.anonymous());
        assertThat(tree(q.info())).as(decode(token)).isEqualTo(tree(f.info()));
        return true;
    }

    private static JsonNode tree(byte[] json) throws Exception {
        return json == null ? null : JSON.readTree(json);
    }

    private static String mutate(String s, Random rnd, String alphabet) {
        StringBuilder b = new StringBuilder(s);
        for (int n = 1 + rnd.nextInt(3); n > 0 && b.length() > 0; n--) {
            int at = rnd.nextInt(b.length());
            switch (rnd.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                default -> b.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
        }
        return b.toString();
    }

    private static String token(String header, String claims) throws GeneralSecurityException {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String signed = e.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + e.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return signed + "." + e.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String decode(String token) {
        String[] p = token.split("\\.");
        Base64.Decoder d = Base64.getUrlDecoder();
        return new String(d.decode(p[0]), StandardCharsets.UTF_8) + " . " + new String(d.decode(p[1]), StandardCharsets.UTF_8);
    }

}
