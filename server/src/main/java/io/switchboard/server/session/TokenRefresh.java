package io.switchboard.server.session;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.Json;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A session's {@code refresh} command (protocol.md): who decides on the new token (the application's refresh
 * hook when it has one, the node's authenticator otherwise), whether it may replace the connection's token
 * ({@link Welcome#refreshProblem}), and the answer. The session adopts the new principal
 * ({@link Session#adoptRefreshed}); this class holds no state of its own. Event loop only, like its session.
 */
final class TokenRefresh {

    private final Session session;
    private final Node node;

    TokenRefresh(Session session, Node node) {
        this.session = session;
        this.node = node;
    }

    void refresh(Envelope e) {
        if (node.hooks().decidesRefresh()) {
            // The application decides (Hooks); its answer is applied back on this loop.
            io.switchboard.server.node.Caller caller = session.caller();
            CompletionStage<Principal> decided;
            try {
                decided = node.hooks().refresh(caller, e.token());
            } catch (RuntimeException ex) {
                decided = CompletableFuture.failedFuture(ex);
            }
            decided.whenComplete((next, failure) -> session.onLoop(() -> {
                if (!session.isOpen()) {
                    return;
                }
                Throwable t = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (t instanceof AuthException ex) {
                    session.error(e.id(), ex.errorCode(), ex.getMessage());
                } else if (t != null || next == null) {
                    session.error(e.id(), ErrorCode.UNAVAILABLE, "the refresh decision failed; retry later");
                } else {
                    refreshed(e, next);
                }
            }));
            return;
        }
        Principal next;
        try {
            next = node.authenticator().authenticate(e.token());
        } catch (AuthException ex) {
            session.error(e.id(), ex.errorCode(), ex.getMessage());
            return;
        }
        refreshed(e, next);
    }

    private void refreshed(Envelope e, Principal next) {
        Welcome.Refusal refused = Welcome.refreshProblem(session.principal(), next, node.config());
        if (refused != null) {
            session.error(e.id(), refused.code(), refused.message());
            return;
        }
        session.adoptRefreshed(next, Envelope.ack(e.id(), Json.object(g -> {
            if (next.expires()) {
                g.writeNumberField("expiresAt", next.expiresAtMillis());
            }
        })));
    }
}
