package io.switchboard.server.node;

import io.switchboard.server.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decisions the application in front of the node takes on its clients' behalf: admit a connection (and
 * decide who it is), extend it ({@code refresh}), allow a subscribe, allow, refuse or rewrite a publish, and
 * answer a client's {@code rpc}. The node asks only for what {@link #decidesConnect()},
 * {@link #decidesRefresh()}, {@link #decidesSubscribe(String)}, {@link #decidesPublish(String)} and
 * {@link #decidesRpc()} say, so a node without hooks runs exactly as before. The server side
 * ({@link Caller#server()}) is never asked.
 *
 * <p>This is the one seam both the embedded API ({@code switchboard-embedded}: Java objects in the same
 * JVM) and HTTP hooks to a backend ({@code io.switchboard.server.hooks}) implement. Every method is called on an event loop and must not block:
 * an implementation that has to wait runs its work elsewhere and completes the stage later. A stage
 * failed with {@link io.switchboard.server.auth.AuthException} (connect) or {@link ChannelException}
 * (subscribe, publish, rpc) is a refusal with that code; any other failure is answered {@code unavailable}.
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

    /** Whether subscribes to channels of namespace {@code ns} are decided; by default {@link #decidesSubscribe()}. */
    default boolean decidesSubscribe(String ns) {
        return decidesSubscribe();
    }

    /** Whether publishes to channels of namespace {@code ns} are decided; by default {@link #decidesPublish()}. */
    default boolean decidesPublish(String ns) {
        return decidesPublish();
    }

    /**
     * Whether a connection that brings no token is handed to {@link #connect} (as anonymous) even when the node
     * refuses anonymous connections: the connect decision then names the user from the handshake's headers or
     * cookies, or refuses. False by default: without a token such a connection is refused before it is asked.
     */
    default boolean decidesTokenless() {
        return false;
    }

    /** Whether a client's {@code refresh} is decided by {@link #refresh} instead of the token check. */
    default boolean decidesRefresh() {
        return false;
    }

    /** Whether clients' {@code rpc} commands are answered ({@link #rpc}); without, they are {@code not_available}. */
    default boolean decidesRpc() {
        return false;
    }

    /**
     * The handshake's headers that the later decisions (refresh, subscribe, publish, rpc) see as
     * {@link Caller#headers()}: called once per connection at its handshake, with lower-case names. None by
     * default (a connection keeps nothing).
     */
    default Map<String, List<String>> keep(Map<String, List<String>> handshakeHeaders) {
        return Map.of();
    }

    /**
     * Admits a connection the authenticator accepted as {@code authenticated} (anonymous without a token,
     * when the node allows that): completes with the principal to open the session as, which may be
     * another one (the decision is who the user is), or fails to refuse it.
     */
    default CompletionStage<Principal> connect(Handshake handshake, Principal authenticated) {
        return CompletableFuture.completedFuture(authenticated);
    }

    /**
     * Extends a connection on its client's {@code refresh}: completes with its next principal (which must
     * be the same user; the expiry and info may change), or fails to refuse ({@code AuthException}).
     */
    default CompletionStage<Principal> refresh(Caller caller, String token) {
        return CompletableFuture.failedFuture(io.switchboard.server.auth.AuthException.unauthorized("refresh is not decided here"));
    }

    /**
     * Answers a client's {@code rpc}: completes with the result (JSON bytes, sent as they are), or fails with a
     * {@link ChannelException} naming the error the client gets.
     */
    default CompletionStage<byte[]> rpc(Caller caller, String method, byte[] payload) {
        return CompletableFuture.failedFuture(new ChannelException(io.switchboard.protocol.ErrorCode.NOT_AVAILABLE,
                "rpc is not enabled on this node"));
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
