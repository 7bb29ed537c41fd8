package io.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies HS256 JWTs with the configured secret: the signature, {@code exp} and {@code nbf} (with
 * {@value #CLOCK_SKEW_SECONDS} s of allowed clock skew, the same grace an open session gets), and a
 * non-empty {@code sub}, which becomes the user id. Optional claims: {@code channels} (a list of channel
 * names or {@code prefix*} patterns, for namespaces with {@code claim} access) and {@code info} (any
 * JSON, shown in presence). Only HS256 is accepted, so {@code alg: none} and algorithm swaps fail the key selection.
 */
public final class JwtAuthenticator implements Authenticator {

    public static final int CLOCK_SKEW_SECONDS = 30;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final boolean allowAnonymous;

    public JwtAuthenticator(byte[] secret, boolean allowAnonymous) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes (256 bits) for HS256");
        }
        this.allowAnonymous = allowAnonymous;
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(null, Set.of("sub"));
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public Principal authenticate(String token) throws AuthException {
        if (token == null || token.isEmpty()) {
            if (allowAnonymous) {
                return Principal.ANONYMOUS;
            }
            throw AuthException.unauthorized("a token is required: send Authorization: Bearer <JWT> or ?access_token=<JWT>");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ExpiredJWTException e) {
            throw AuthException.expired("the token has expired");
        } catch (ParseException e) {
            throw AuthException.unauthorized("the token is not a well-formed JWT");
        } catch (BadJOSEException e) {
            throw AuthException.unauthorized("the token was refused: " + e.getMessage());
        } catch (JOSEException e) {
            throw AuthException.unauthorized("the token could not be verified");
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw AuthException.unauthorized("the token has an empty sub claim");
        }
        Date exp = claims.getExpirationTime();
        List<String> channels;
        byte[] info;
        try {
            List<String> c = claims.getStringListClaim("channels");
            channels = c == null ? List.of() : List.copyOf(c);
            Object i = claims.getClaim("info");
            info = i == null ? null : JSON.writeValueAsBytes(i);
        } catch (ParseException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AuthException.unauthorized("the token's channels claim must be a list of strings");
        }
        return new Principal(sub, false, exp == null ? Long.MAX_VALUE : exp.getTime(), channels, info);
    }
}
