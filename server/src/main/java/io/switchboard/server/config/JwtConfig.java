package io.switchboard.server.config;

import static io.switchboard.server.config.Checks.list;
import static io.switchboard.server.config.Checks.notNegative;
import static io.switchboard.server.config.Checks.orNull;
import static io.switchboard.server.config.Checks.positive;

import java.time.Duration;
import java.util.List;

/**
 * How tokens are verified beyond the HS256 secret (docs/auth.md): public keys given as PEM, a JWKS fetched in
 * the background, and the {@code iss} and {@code aud} claims a token must carry. The HS256 secret is not here
 * but on {@link ServerConfig}, because the node also signs with it (demo tokens) and makes one up per run when
 * none is given.
 *
 * <p>Checked and tidied when built: a value that cannot work throws {@link InvalidConfigException} naming the
 * option; lists lose blank entries and surrounding spaces, and an empty text means unset (null).
 *
 * @param publicKeys             PEM files (or PEM text) of public keys that verify RS256, ES256 and EdDSA
 *                               tokens ({@code jwt-public-key}); empty: none
 * @param jwksUrl                the http or https URL of the JWKS whose keys verify tokens, or null
 * @param jwksRefreshInterval    how often the JWKS is fetched again; longer than 0
 * @param jwksMinRefreshInterval the least time between two fetches of the JWKS when tokens name unknown key
 *                               ids; 0: no pause
 * @param issuer                 the {@code iss} a token must carry ({@code jwt-issuer}), or null to not check it
 * @param audiences              the {@code aud} values a token may name, one being enough ({@code jwt-audience});
 *                               empty to not check it
 */
public record JwtConfig(List<String> publicKeys, String jwksUrl, Duration jwksRefreshInterval,
                        Duration jwksMinRefreshInterval, String issuer, List<String> audiences) {

    /** No public key, no JWKS (fetched every 5 minutes, at most every 30 seconds when one is set), no iss or aud check. */
    public static final JwtConfig DEFAULT = new JwtConfig(List.of(), null, Duration.ofMinutes(5), Duration.ofSeconds(30),
            null, List.of());

    public JwtConfig {
        publicKeys = list(publicKeys);
        jwksUrl = orNull(jwksUrl);
        if (jwksUrl != null && !jwksUrl.startsWith("http://") && !jwksUrl.startsWith("https://")) {
            throw new InvalidConfigException("jwks-url", "is not an http or https URL");
        }
        positive("jwks-refresh-interval", jwksRefreshInterval);
        notNegative("jwks-min-refresh-interval", jwksMinRefreshInterval);
        issuer = orNull(issuer);
        audiences = list(audiences);
    }

    public JwtConfig withPublicKeys(List<String> pems) {
        return new JwtConfig(pems, jwksUrl, jwksRefreshInterval, jwksMinRefreshInterval, issuer, audiences);
    }

    public JwtConfig withJwksUrl(String url) {
        return new JwtConfig(publicKeys, url, jwksRefreshInterval, jwksMinRefreshInterval, issuer, audiences);
    }

    public JwtConfig withJwksRefreshInterval(Duration interval) {
        return new JwtConfig(publicKeys, jwksUrl, interval, jwksMinRefreshInterval, issuer, audiences);
    }

    public JwtConfig withJwksMinRefreshInterval(Duration interval) {
        return new JwtConfig(publicKeys, jwksUrl, jwksRefreshInterval, interval, issuer, audiences);
    }

    public JwtConfig withIssuer(String iss) {
        return new JwtConfig(publicKeys, jwksUrl, jwksRefreshInterval, jwksMinRefreshInterval, iss, audiences);
    }

    public JwtConfig withAudiences(List<String> aud) {
        return new JwtConfig(publicKeys, jwksUrl, jwksRefreshInterval, jwksMinRefreshInterval, issuer, aud);
    }
}
