package io.switchboard.embedded;

/**
 * The application's decision on a client's subscribe, in the blocking form: it runs on the node's bounded
 * hook executor within the hook timeout. A hook that throws, returns null, times out or finds the queue
 * full answers the subscribe with {@code unavailable}; the failure is counted and logged. The server side
 * ({@link Switchboard}'s own methods) is never asked.
 */
@FunctionalInterface
public interface SubscribeHook {

    /** Allows the subscribe, or refuses it ({@code forbidden}). */
    Decision decide(SubscribeRequest request) throws Exception;
}
