package io.switchboard.server.node;

import io.switchboard.server.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decisions the application in front of the node takes on its clients' behalf: admit a connection (and
 * decide who it is), allow a subscribe, allow, refuse or rewrite a publish. The node asks only for what
 * {@link #decidesConnect()}, {@link #decidesSubscribe()} and {@link #decidesPublish()} say, so a node
 * without hooks runs exactly as before. The server side ({@link Caller#server()}) is never asked.
 *
 * <p>This is the one seam both the embedded API ({@code switchboard-embedded}: Java objects in the same
 * JVM) and HTTP hooks to a backend implement. Every method is called on an event loop and must not block:
 * an implementation that has to wait runs its work elsewhere and completes the stage later. A stage
 * failed with {@link io.switchboard.server.auth.AuthException} (connect) or {@link ChannelException}
 * (subscribe, publish) is a refusal with that code; any other failure is answered {@code unavailable}.
 */
public interface Hooks {

    /** No decisions: every connection the authenticator admits, every subscribe and publish access allows. */
    Hooks NONE = new Hooks() {
    };

    /** The handshake of an opening WebSocket connection, as the connect decision sees it. */
    record Handshake(String token, Map<String, List<String>> headers, String remoteAddress) {
    }

    default boolean decidesConnect() {
        return false;
    }

    default boolean decidesSubscribe() {
        return false;
    }

    default boolean decidesPublish() {
        return false;
    }

    /**
     * Admits a connection the authenticator accepted as {@code authenticated} (anonymous without a token,
     * when the node allows that): completes with the principal to open the session as, which may be
     * another one (the decision is who the user is), or fails to refuse it.
     */
    default CompletionStage<Principal> connect(Handshake handshake, Principal authenticated) {
        return CompletableFuture.completedFuture(authenticated);
    }

    /** Allows a subscribe that the namespace's access already allows (completes), or refuses it (fails). */
    default CompletionStage<Void> subscribe(Caller caller, String channel) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Allows a publish the namespace's access already allows: completes with the payload to publish (the
     * same array, or a replacement that must be JSON), or fails to refuse it.
     */
    default CompletionStage<byte[]> publish(Caller caller, String channel, byte[] payload) {
        return CompletableFuture.completedFuture(payload);
    }
}
