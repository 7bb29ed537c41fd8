package io.switchboard.embedded;

import java.util.concurrent.CompletionStage;

/**
 * The application's decision on a client's publish, in the asynchronous form: called on the event loop,
 * it must return at once. A failed, null or late stage answers the publish with {@code unavailable}.
 */
@FunctionalInterface
public interface AsyncPublishHook {

    /** Allows, replaces or refuses the publish when the stage completes. */
    CompletionStage<PublishDecision> decide(PublishRequest request);
}
