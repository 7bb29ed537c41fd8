package io.switchboard.spring.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.embedded.AsyncConnectHook;
import io.switchboard.embedded.ConnectDecision;
import io.switchboard.embedded.ConnectRequest;
import io.switchboard.embedded.User;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;
import reactor.core.publisher.Mono;

/**
 * The connect decision made by the application's Spring Security: the user of a WebSocket handshake is
 * the principal Spring Security knows for that request. A handshake is admitted when
 * <ol>
 *   <li>it carries a node token the node already verified (that user is kept as the token says), or</li>
 *   <li>its session cookie names a WebFlux session whose security context holds an authenticated user
 *       (a browser signed in to the application: cookies are sent to every port of the host), or</li>
 *   <li>its {@code Authorization: Basic} header passes the application's {@link ReactiveAuthenticationManager}
 *       (clients that can set headers, such as the JDK's WebSocket client).</li>
 * </ol>
 * The user id is the authentication's name; presence shows {@code {"roles": [...]}}, its authorities.
 * Anything else is refused with {@code unauthorized}. Asynchronous: the session store and the
 * authentication manager are asked without blocking the event loop.
 */
public final class SpringSecurityConnectHook implements AsyncConnectHook {

    /** Where WebFlux's {@code WebSessionServerSecurityContextRepository} keeps the security context. */
    static final String CONTEXT_ATTRIBUTE = "SPRING_SECURITY_CONTEXT";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReactiveAuthenticationManager authenticationManager;
    private final WebSessionStore sessions;
    private final String cookieName;

    /**
     * @param authenticationManager checks Basic credentials; null to refuse them
     * @param sessions              the application's WebFlux session store; null to ignore cookies
     * @param cookieName            the session cookie's name ({@code SESSION} by default in WebFlux)
     */
    public SpringSecurityConnectHook(ReactiveAuthenticationManager authenticationManager, WebSessionStore sessions, String cookieName) {
        this.authenticationManager = authenticationManager;
        this.sessions = sessions;
        this.cookieName = cookieName;
    }

    @Override
    public CompletionStage<ConnectDecision> decide(ConnectRequest request) {
        if (request.user() != null) {
            return CompletableFuture.completedFuture(ConnectDecision.allow(request.user()));
        }
        return fromSession(request)
                .switchIfEmpty(Mono.defer(() -> fromBasic(request)))
                .filter(Authentication::isAuthenticated)
                .map(SpringSecurityConnectHook::user)
                .map(ConnectDecision::allow)
                .onErrorResume(AuthenticationException.class, e -> Mono.just(ConnectDecision.refuse("the credentials were refused")))
                .defaultIfEmpty(ConnectDecision.refuse("sign in to the application first (no session or credentials with this handshake)"))
                .toFuture();
    }

    private Mono<Authentication> fromSession(ConnectRequest request) {
        String id = sessionId(request.headers().get("cookie"));
        if (sessions == null || id == null) {
            return Mono.empty();
        }
        return sessions.retrieveSession(id)
                .filter(s -> !s.isExpired())
                .mapNotNull(SpringSecurityConnectHook::context)
                .mapNotNull(SecurityContext::getAuthentication);
    }

    private static SecurityContext context(WebSession session) {
        Object c = session.getAttribute(CONTEXT_ATTRIBUTE);
        return c instanceof SecurityContext sc ? sc : null;
    }

    private String sessionId(List<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return null;
        }
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(cookieName)) {
                    String value = pair.substring(eq + 1).trim();
                    return value.isEmpty() ? null : value;
                }
            }
        }
        return null;
    }

    private Mono<Authentication> fromBasic(ConnectRequest request) {
        String header = request.header("authorization");
        if (authenticationManager == null || header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Mono.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return Mono.error(new BadCredentialsException("not base64"));
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Mono.error(new BadCredentialsException("no colon"));
        }
        return authenticationManager.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(
                decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    private static User user(Authentication a) {
        List<String> roles = a.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList();
        try {
            return User.of(a.getName()).withInfo(JSON.writeValueAsString(Map.of("roles", roles)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
