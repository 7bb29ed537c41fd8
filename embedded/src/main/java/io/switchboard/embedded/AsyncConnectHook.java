package io.switchboard.embedded;

import java.util.concurrent.CompletionStage;

/**
 * The application's decision on an opening connection, in the asynchronous form. It is called on the
 * connection's event loop and must return at once; the stage may complete on any thread. A stage that
 * fails, completes with null or does not complete within the hook timeout refuses the connection with
 * {@code unavailable}, counted and logged like a failing {@link ConnectHook}.
 */
@FunctionalInterface
public interface AsyncConnectHook {

    /** Admits the connection as a user, or refuses it, when the stage completes. */
    CompletionStage<ConnectDecision> decide(ConnectRequest request);
}
