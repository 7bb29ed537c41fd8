package io.switchboard.embedded;

import java.util.concurrent.CompletionStage;

/**
 * The application's decision on a client's subscribe, in the asynchronous form: called on the event loop,
 * it must return at once. A failed, null or late stage answers the subscribe with {@code unavailable}.
 */
@FunctionalInterface
public interface AsyncSubscribeHook {

    /** Allows or refuses the subscribe when the stage completes. */
    CompletionStage<Decision> decide(SubscribeRequest request);
}
