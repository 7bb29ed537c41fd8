package io.switchboard.server.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The quick way through the common token: an HS256 JWT with a plain header ({@code alg}, and {@code typ}
 * {@code JWT} or {@code at+jwt}) whose signature is right and whose claims are all well-formed and
 * valid. It checks the signature with a {@link Mac} kept per thread and reads the claims with Jackson's
 * streaming parser, without the general JOSE parse. It only ever <em>accepts</em>: whatever it does not
 * recognise as clearly valid (another algorithm, another header parameter, a wrong signature, a claim of
 * an unexpected type, a duplicate key, an expired token...) returns null, and the full verification
 * ({@link JwtAuthenticator}'s Nimbus processor) decides and words the refusal. A token it accepts, the
 * full verification accepts with the same principal ({@code Hs256TokensTest} checks that on valid and
 * mutated tokens). Every claim the full path reads ({@code sub}, {@code exp}, {@code channels},
 * {@code subscribe}, {@code info}) must be read here too: a claim added there and not here would be lost
 * on the quick path, and the test's comparison of whole principals would catch it.
 */
final class Hs256Tokens {

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();
    /** Longer tokens take the full path (Nimbus has its own limits, which this must not exceed). */
    private static final int MAX_TOKEN_CHARS = 8192;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final String issuer;
    private final Set<String> audiences;
    private final long skewMillis;
    private final Clock clock;

    Hs256Tokens(byte[] secret, String issuer, Set<String> audiences, long skewMillis, Clock clock) {
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.skewMillis = skewMillis;
        this.clock = clock;
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The principal of a clearly valid HS256 token, or null to let the full verification decide. */
    Principal accept(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            return null;
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            return null;
        }
        try {
            if (!plainHs256Header(B64.decode(token.substring(0, dot1)))) {
                return null;
            }
            byte[] signature = B64.decode(token.substring(dot2 + 1));
            Mac mac = macs.get();
            byte[] expected = mac.doFinal(token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(expected, signature)) {
                return null;
            }
            return claims(B64.decode(token.substring(dot1 + 1, dot2)));
        } catch (IllegalArgumentException | IOException notPlain) {
            return null;
        }
    }

    /** {@code {"alg":"HS256"}} with at most a {@code typ} of {@code JWT} or {@code at+jwt}, nothing else. */
    private static boolean plainHs256Header(byte[] header) throws IOException {
        boolean alg = false;
        try (JsonParser p = JSON.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    return false;
                }
                String v = p.getText();
                switch (name) {
                    case "alg" -> alg = v.equals("HS256");
                    case "typ" -> {
                        if (!v.equals("JWT") && !v.equals("at+jwt")) {
                            return false;
                        }
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return alg && p.nextToken() == null;
        }
    }

    private Principal claims(byte[] payload) throws IOException {
        String sub = null;
        String iss = null;
        List<String> aud = new ArrayList<>();
        Long exp = null;
        Long nbf = null;
        List<String> channels = List.of();
        List<String> subscribe = List.of();
        byte[] info = null;
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "sub" -> sub = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "iss" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        iss = p.getText();
                    }
                    case "jti" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                    }
                    case "aud" -> {
                        if (!strings(p, v, aud, true)) {
                            return null;
                        }
                    }
                    case "exp", "nbf", "iat" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                                && p.getNumberType() != JsonParser.NumberType.LONG) {
                            return null;
                        }
                        long seconds = p.getLongValue();
                        if (seconds < 0 || seconds > Long.MAX_VALUE / 1000) {
                            return null;
                        }
                        if (name.equals("exp")) {
                            exp = seconds * 1000;
                        } else if (name.equals("nbf")) {
                            nbf = seconds * 1000;
                        }
                    }
                    case "channels", "subscribe" -> {
                        List<String> list = new ArrayList<>();
                        if (!strings(p, v, list, false)) {
                            return null;
                        }
                        if (name.equals("channels")) {
                            channels = List.copyOf(list);
                        } else {
                            subscribe = List.copyOf(list);
                        }
                    }
                    case "info" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            break;
                        }
                        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
                        try (JsonGenerator g = JSON.createGenerator(out)) {
                            g.copyCurrentStructure(p);
                        }
                        info = out.toByteArray();
                    }
                    default -> p.skipChildren();
                }
                if (name.equals("sub") && sub == null) {
                    return null;
                }
            }
            if (p.nextToken() != null) {
                return null;
            }
        }
        if (sub == null || sub.isBlank() || Principal.userIdProblem(sub) != null) {
            return null;
        }
        if (issuer != null && !issuer.equals(iss)) {
            return null;
        }
        if (!audiences.isEmpty() && aud.stream().noneMatch(audiences::contains)) {
            return null;
        }
        long now = clock.millis();
        if (nbf != null && nbf > now + skewMillis || exp != null && exp < now - skewMillis) {
            return null;
        }
        return new Principal(sub, false, exp == null ? Long.MAX_VALUE : exp, channels, info, subscribe);
    }

    /** A string, or an array of strings, into {@code out}; false for anything else. */
    private static boolean strings(JsonParser p, JsonToken v, List<String> out, boolean single) throws IOException {
        if (single && v == JsonToken.VALUE_STRING) {
            out.add(p.getText());
            return true;
        }
        if (v != JsonToken.START_ARRAY) {
            return false;
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                return false;
            }
            out.add(p.getText());
        }
        return true;
    }
}
