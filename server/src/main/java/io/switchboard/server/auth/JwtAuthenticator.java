package io.switchboard.server.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.switchboard.server.config.ServerConfig;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs: the signature (HS256/384/512 with the node's secret; RS256, ES256 and EdDSA with public
 * keys from PEM files or a JWKS URL), then {@code iss} and {@code aud} when configured, a non-empty
 * {@code sub} (the user id), {@code nbf} and {@code exp} with {@value #CLOCK_SKEW_SECONDS} s of clock skew
 * (the same grace an open session gets). Optional claims: {@code channels} (channel names or
 * {@code prefix*} patterns, for namespaces with {@code claim} access) and {@code info} (any JSON, shown
 * in presence). Which algorithms are accepted follows from the keys configured ({@link KeyChooser});
 * unsigned tokens are refused. Never blocks: JWKS keys are read from a cache filled in the background.
 * See {@code docs/auth.md}.
 */
public final class JwtAuthenticator implements Authenticator, AutoCloseable {

    public static final int CLOCK_SKEW_SECONDS = 30;
    /** How long start-up waits for the first JWKS fetch before serving anyway. */
    static final Duration FIRST_FETCH_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

    private final DefaultJWTProcessor<SecurityContext> processor;
    /** The quick path for plain, valid HS256 tokens; null without a secret (or when switched off for tests). */
    private final Hs256Tokens hs256;
    private final KeyChooser keys;
    private final JwksKeySource jwks;
    private final boolean allowAnonymous;

    /** HS256 (and HS384/HS512 if the secret is long enough) with {@code secret}, nothing else checked beyond the defaults. */
    public JwtAuthenticator(byte[] secret, boolean allowAnonymous) {
        this(builder().secret(secret).allowAnonymous(allowAnonymous));
    }

    private JwtAuthenticator(Builder b) {
        this.allowAnonymous = b.allowAnonymous;
        this.jwks = b.jwksUrl == null ? null : new JwksKeySource(b.jwksUrl, b.jwksRefreshInterval, b.jwksMinRefreshInterval);
        this.keys = new KeyChooser(b.secret, b.publicKeys, jwks);
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, AT_JWT, null));
        processor.setJWSKeySelector(keys);
        processor.setJWSVerifierFactory(new Verifiers());
        processor.setJWTClaimsSetVerifier(new ClaimRules(b.issuer, b.audiences, CLOCK_SKEW_SECONDS * 1000L, b.clock));
        this.hs256 = b.secret == null || !b.quickHs256 ? null
                : new Hs256Tokens(b.secret, b.issuer, b.audiences, CLOCK_SKEW_SECONDS * 1000L, b.clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The authenticator a node runs with. The HMAC secret counts only when it was configured, or when no
     * public key or JWKS URL is: a node that verifies with public keys does not also accept tokens signed
     * with a secret generated for the run. Waits up to {@link #FIRST_FETCH_WAIT} for a JWKS; call it at
     * start-up, not on an event loop.
     */
    public static JwtAuthenticator create(ServerConfig config, byte[] secret, boolean secretGenerated) {
        boolean asymmetric = !config.jwt().publicKeys().isEmpty() || (config.jwt().jwksUrl() != null && !config.jwt().jwksUrl().isBlank());
        Builder b = builder()
                .secret(secretGenerated && asymmetric ? null : secret)
                .allowAnonymous(config.allowAnonymous())
                .issuer(config.jwt().issuer())
                .audiences(config.jwt().audiences())
                .jwksRefreshInterval(config.jwt().jwksRefreshInterval())
                .jwksMinRefreshInterval(config.jwt().jwksMinRefreshInterval());
        for (String k : config.jwt().publicKeys()) {
            b.publicKeys(k);
        }
        if (config.jwt().jwksUrl() != null && !config.jwt().jwksUrl().isBlank()) {
            b.jwksUrl(config.jwt().jwksUrl());
        }
        JwtAuthenticator a = b.build();
        a.start(FIRST_FETCH_WAIT);
        return a;
    }

    /** Starts fetching the JWKS, if there is one, and waits up to {@code wait} for it. */
    public JwtAuthenticator start(Duration wait) {
        if (jwks != null) {
            jwks.start();
            if (!jwks.awaitFirstFetch(wait)) {
                log.warn("JWKS {} is not loaded yet: tokens that need it are refused as unavailable until it is", jwks.uri());
            }
        }
        log.info("JWT: accepting {}{}", keys.accepted(), jwks == null ? "" : " (JWKS " + jwks.uri() + ")");
        return this;
    }

    JwksKeySource jwks() {
        return jwks;
    }

    /** The algorithms this authenticator accepts (with a JWKS: whichever its keys allow). */
    Set<JWSAlgorithm> accepted() {
        return keys.accepted();
    }

    @Override
    public Principal authenticate(String token) throws AuthException {
        if (token == null || token.isEmpty()) {
            if (allowAnonymous) {
                return Principal.ANONYMOUS;
            }
            throw AuthException.unauthorized("a token is required: send Authorization: Bearer <JWT> or ?access_token=<JWT>");
        }
        if (hs256 != null) {
            Principal quick = hs256.accept(token);
            if (quick != null) {
                return quick;
            }
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (KeyRefusal e) {
            throw e.refusal();
        } catch (ExpiredJWTException e) {
            throw AuthException.expired("the token has expired");
        } catch (ParseException e) {
            throw AuthException.unauthorized("the token is not a well-formed JWT");
        } catch (BadJOSEException e) {
            throw AuthException.unauthorized("the token was refused: " + e.getMessage());
        } catch (JOSEException | RuntimeException e) {
            throw AuthException.unauthorized("the token could not be verified");
        }
        Date exp = claims.getExpirationTime();
        List<String> channels;
        List<String> subscribe;
        byte[] info;
        try {
            List<String> c = claims.getStringListClaim("channels");
            channels = c == null ? List.of() : List.copyOf(c);
            List<String> s = claims.getStringListClaim("subscribe");
            subscribe = s == null ? List.of() : List.copyOf(s);
            Object i = claims.getClaim("info");
            info = i == null ? null : JSON.writeValueAsBytes(i);
        } catch (ParseException | JsonProcessingException | RuntimeException e) {
            throw AuthException.unauthorized("the token's channels and subscribe claims must be lists of strings");
        }
        return new Principal(claims.getSubject(), false, exp == null ? Long.MAX_VALUE : exp.getTime(), channels, info, subscribe);
    }

    /** Stops the JWKS refresh, if any. */
    @Override
    public void close() {
        if (jwks != null) {
            jwks.close();
        }
    }

    /** What to verify with; {@link #build()} checks it. */
    public static final class Builder {
        private byte[] secret;
        private final List<VerificationKey> publicKeys = new ArrayList<>();
        private URI jwksUrl;
        private Duration jwksRefreshInterval = Duration.ofMinutes(5);
        private Duration jwksMinRefreshInterval = Duration.ofSeconds(30);
        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private boolean allowAnonymous;
        private Clock clock = Clock.systemUTC();
        private boolean quickHs256 = true;

        private Builder() {
        }

        /** Whether plain valid HS256 tokens take the quick path ({@link Hs256Tokens}); on by default. */
        Builder quickHs256(boolean on) {
            this.quickHs256 = on;
            return this;
        }

        /** The HMAC secret (at least 32 bytes), or null to refuse HS* tokens. */
        public Builder secret(byte[] secret) {
            if (secret != null && secret.length < 32) {
                throw new IllegalArgumentException("the JWT secret must be at least 32 bytes (256 bits) for HS256");
            }
            this.secret = secret == null ? null : secret.clone();
            return this;
        }

        /** Adds the keys of a PEM file, or of PEM text. */
        public Builder publicKeys(String fileOrPem) {
            publicKeys.addAll(PemKeys.load(fileOrPem));
            return this;
        }

        public Builder jwksUrl(String url) {
            try {
                this.jwksUrl = URI.create(url.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--jwks-url is not a URL: " + e.getMessage(), e);
            }
            return this;
        }

        public Builder jwksRefreshInterval(Duration d) {
            this.jwksRefreshInterval = d;
            return this;
        }

        public Builder jwksMinRefreshInterval(Duration d) {
            this.jwksMinRefreshInterval = d;
            return this;
        }

        /** The required {@code iss}; null or blank: not checked. */
        public Builder issuer(String issuer) {
            this.issuer = issuer == null || issuer.isBlank() ? null : issuer;
            return this;
        }

        /** Accepted {@code aud} values; empty: not checked. */
        public Builder audiences(List<String> audiences) {
            for (String a : audiences) {
                if (a != null && !a.isBlank()) {
                    this.audiences.add(a.trim());
                }
            }
            return this;
        }

        public Builder allowAnonymous(boolean allowAnonymous) {
            this.allowAnonymous = allowAnonymous;
            return this;
        }

        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The authenticator; call {@code start} on it, or use {@link JwtAuthenticator#create}, to fetch a JWKS. */
        public JwtAuthenticator build() {
            if (secret == null && publicKeys.isEmpty() && jwksUrl == null) {
                throw new IllegalArgumentException("no way to verify tokens: give a JWT secret, public keys or a JWKS URL");
            }
            return new JwtAuthenticator(this);
        }
    }
}
