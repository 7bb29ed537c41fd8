package io.switchboard.server.node;

import io.switchboard.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A client's call to the application's backend, for {@link ChannelService#rpc}: whether rpc is open to the
 * caller, the payload limit, and how the {@link Hooks#rpc} answer becomes the result or a
 * {@link ChannelException}. Owns nothing else; thread-safe.
 */
final class RpcCalls {

    private final Hooks hooks;

    RpcCalls(Hooks hooks) {
        this.hooks = hooks;
    }

    /** See {@link ChannelService#rpc}; {@code maxPayloadBytes} is the publish limit, for the payload and the result. */
    CompletableFuture<byte[]> call(Caller caller, String method, byte[] payload, int maxPayloadBytes) {
        if (caller.isServer() || !hooks.decidesRpc()) {
            throw new ChannelException(ErrorCode.NOT_AVAILABLE, "rpc is not enabled on this node");
        }
        if (payload != null && payload.length > maxPayloadBytes) {
            throw new ChannelException(ErrorCode.TOO_LARGE, "payload is over " + maxPayloadBytes + " bytes");
        }
        CompletionStage<byte[]> answered;
        try {
            answered = hooks.rpc(caller, method, payload);
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        return answered.toCompletableFuture().handle((result, failure) -> {
            Throwable t = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (t instanceof ChannelException c) {
                throw c;
            }
            if (t != null || result == null || result.length > maxPayloadBytes) {
                throw new ChannelException(ErrorCode.UNAVAILABLE, "the rpc hook failed; retry later");
            }
            return result;
        });
    }
}
