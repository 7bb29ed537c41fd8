package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.node.Hooks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Asks the application's connect decision ({@link Hooks#connect}) about an upgrade and hands the answer
 * back on the connection's event loop: the principal to admit, or the refusal. A decision that fails with
 * an {@link AuthException} refuses with its codes; one that fails otherwise, or completes with null, is
 * answered {@code unavailable} (retryable), never with the failure's text.
 */
final class ConnectDecision {

    /** What the upgrade continues with: exactly one of the two is non-null. */
    interface Answer {
        void admit(Principal principal, AuthException refused);
    }

    private ConnectDecision() {
    }

    /** The request's headers by lower-case name. */
    static Map<String, List<String>> headers(FullHttpRequest req) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : req.headers()) {
            headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(h.getValue());
        }
        return Map.copyOf(headers);
    }

    static void ask(Hooks hooks, ChannelHandlerContext ctx, FullHttpRequest req, String token, String ip,
                    Principal authenticated, Answer answer) {
        CompletionStage<Principal> decided;
        try {
            decided = hooks.connect(new Hooks.Handshake(token, headers(req), ip), authenticated);
        } catch (RuntimeException e) {
            answer.admit(null, AuthException.unavailable("the connect decision failed; retry later"));
            return;
        }
        decided.whenComplete((principal, failure) -> ctx.executor().execute(() -> {
            Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (t instanceof AuthException refused) {
                answer.admit(null, refused);
            } else if (t != null || principal == null) {
                answer.admit(null, AuthException.unavailable("the connect decision failed; retry later"));
            } else {
                answer.admit(principal, null);
            }
        }));
    }
}
