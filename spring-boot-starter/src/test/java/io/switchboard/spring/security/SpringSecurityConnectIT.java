package io.switchboard.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.embedded.Switchboard;
import io.switchboard.spring.SwitchboardAutoConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.InMemoryWebSessionStore;

/**
 * {@code switchboard.spring-security.connect}: real WebSocket handshakes (the JDK's client) to the embedded
 * node, decided by the application's Spring Security: a WebFlux session cookie of a signed-in user, Basic
 * credentials checked against its user store, a node token, and handshakes that carry none of them.
 */
class SpringSecurityConnectIT {

    private final InMemoryWebSessionStore store = new InMemoryWebSessionStore();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class))
            .withBean(MapReactiveUserDetailsService.class, () -> new MapReactiveUserDetailsService(
                    User.withUsername("alice").password("{noop}alice-password").roles("USER").build()))
            .withBean(DefaultWebSessionManager.class, () -> {
                DefaultWebSessionManager m = new DefaultWebSessionManager();
                m.setSessionStore(store);
                return m;
            })
            .withPropertyValues("switchboard.port=0", "switchboard.io-threads=1", "switchboard.drain-window=0s",
                    "switchboard.jwt-secret=a-starter-test-secret-of-32-bytes-at-least", "switchboard.spring-security.connect=true");

    @Test
    void theHandshakesUserIsWhoSpringSecuritySaysOrNobody() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(SpringSecurityConnectHook.class);
            Switchboard sb = ctx.getBean(Switchboard.class);

            // Basic credentials, checked by the application's user store.
            Frames basic = Frames.open(sb.webSocketUrl(), Map.of("Authorization", basic("alice", "alice-password")));
            assertThat(basic.first()).contains("\"type\":\"welcome\"").contains("\"userId\":\"alice\"");
            basic.close();

            // A browser signed in to the application: its session cookie names a session holding the context.
            WebSession session = store.createWebSession().block(Duration.ofSeconds(5));
            session.getAttributes().put(SpringSecurityConnectHook.CONTEXT_ATTRIBUTE, new SecurityContextImpl(
                    UsernamePasswordAuthenticationToken.authenticated("bob", null, AuthorityUtils.createAuthorityList("ROLE_ADMIN"))));
            session.save().block(Duration.ofSeconds(5));
            Frames cookie = Frames.open(sb.webSocketUrl(), Map.of("Cookie", "theme=dark; SESSION=" + session.getId()));
            assertThat(cookie.first()).contains("\"userId\":\"bob\"");
            cookie.close();

            // A node token still works as before.
            Frames token = Frames.open(sb.webSocketUrl() + "?access_token=" + sb.mintToken("carol", Duration.ofMinutes(1)), Map.of());
            assertThat(token.first()).contains("\"userId\":\"carol\"");
            token.close();

            // Refused: a wrong password, a session that does not exist, nothing at all.
            for (Map<String, String> headers : List.of(Map.of("Authorization", basic("alice", "wrong")),
                    Map.of("Cookie", "SESSION=no-such-session"), Map.<String, String>of())) {
                Frames refused = Frames.open(sb.webSocketUrl(), headers);
                assertThat(refused.first()).as(headers.toString()).contains("\"type\":\"error\"").contains("\"code\":\"unauthorized\"");
                assertThat(refused.closeCode()).as(headers.toString()).isEqualTo(4500);
            }
        });
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A JDK WebSocket that records the first text frame and the close code. */
    private static final class Frames implements WebSocket.Listener {
        private final CompletableFuture<String> first = new CompletableFuture<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private WebSocket ws;

        static Frames open(String url, Map<String, String> headers) throws Exception {
            Frames f = new Frames();
            WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
            headers.forEach(b::header);
            f.ws = b.buildAsync(URI.create(url), f).get(10, TimeUnit.SECONDS);
            return f;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                first.complete(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        String first() throws Exception {
            return first.get(10, TimeUnit.SECONDS);
        }

        int closeCode() throws Exception {
            return closed.get(10, TimeUnit.SECONDS);
        }

        void close() throws Exception {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        }
    }
}
