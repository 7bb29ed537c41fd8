package io.switchboard.embedded;

/**
 * The application's decision on an opening connection, in the blocking form: it may call a database or
 * another service. It runs on the node's bounded hook executor, never on an event loop, and is given
 * the hook timeout to answer; a hook that throws, returns null, times out or finds the executor's queue
 * full refuses the connection with {@code unavailable} (retryable), and the failure is counted in
 * {@code switchboard.hook.failures} and logged. Use {@link AsyncConnectHook} when the answer is already
 * asynchronous.
 */
@FunctionalInterface
public interface ConnectHook {

    /** Admits the connection as a user (possibly another one than the token's), or refuses it. */
    ConnectDecision decide(ConnectRequest request) throws Exception;
}
