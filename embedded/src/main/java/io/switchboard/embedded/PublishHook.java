package io.switchboard.embedded;

/**
 * The application's decision on a client's publish, in the blocking form: it runs on the node's bounded
 * hook executor within the hook timeout. A hook that throws, returns null, times out or finds the queue
 * full answers the publish with {@code unavailable}; the failure is counted and logged. Publishes of the
 * server side ({@link Switchboard#publish}) are never asked.
 */
@FunctionalInterface
public interface PublishHook {

    /** Allows, replaces or refuses the publish. */
    PublishDecision decide(PublishRequest request) throws Exception;
}
