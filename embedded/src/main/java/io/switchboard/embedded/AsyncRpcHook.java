package io.switchboard.embedded;

import java.util.concurrent.CompletionStage;

/**
 * The application's answer to a client's {@code rpc}, in the asynchronous form: called on the event loop, it
 * must return at once. A failed, null or late stage answers the call with {@code unavailable}.
 */
@FunctionalInterface
public interface AsyncRpcHook {

    /** Answers the call, or refuses it, when the stage completes. */
    CompletionStage<RpcResult> call(RpcRequest request);
}
