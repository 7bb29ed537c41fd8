package io.switchboard.server.auth;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The claim checks, run only after the signature has been verified. Who the token is for comes first
 * ({@code iss}, {@code aud}, {@code sub}), time last, so that a token from the wrong issuer is refused as
 * {@code unauthorized} even when it has also expired, and a client is not told to retry with a new one.
 */
final class ClaimRules implements JWTClaimsSetVerifier<SecurityContext> {

    private final String issuer;
    private final Set<String> audiences;
    private final long skewMillis;
    private final Clock clock;

    /**
     * @param issuer    the required {@code iss}, or null to not check it
     * @param audiences accepted {@code aud} values (the token must name one); empty to not check it
     */
    ClaimRules(String issuer, Set<String> audiences, long skewMillis, Clock clock) {
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.skewMillis = skewMillis;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new BadJWTException(claims.getIssuer() == null ? "no iss claim; this node requires its issuer"
                    : "wrong issuer (iss)");
        }
        if (!audiences.isEmpty()) {
            List<String> aud = claims.getAudience();
            if (aud.stream().noneMatch(audiences::contains)) {
                throw new BadJWTException(aud.isEmpty() ? "no aud claim; this node requires its audience"
                        : "wrong audience (aud)");
            }
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw new BadJWTException("no sub claim");
        }
        long now = clock.millis();
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() > now + skewMillis) {
            throw new BadJWTException("not valid yet (nbf)");
        }
        Date exp = claims.getExpirationTime();
        if (exp != null && exp.getTime() < now - skewMillis) {
            throw new ExpiredJWTException("expired (exp)");
        }
    }
}
