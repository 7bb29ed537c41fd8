package io.switchboard.embedded;

/**
 * The application's answer to a client's {@code rpc}, in the blocking form: it runs on the node's bounded hook
 * executor within the hook timeout. A hook that throws, returns null, times out, finds the queue full or
 * returns a result that is not JSON answers the call with {@code unavailable}; the failure is counted and logged.
 */
@FunctionalInterface
public interface RpcHook {

    /** Answers the call, or refuses it. */
    RpcResult call(RpcRequest request) throws Exception;
}
