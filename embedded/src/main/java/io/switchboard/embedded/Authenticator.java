package io.switchboard.embedded;

/**
 * Replaces the node's JWT check: turns the token a client sent (the {@code Authorization: Bearer} header
 * or the {@code access_token} query parameter) into a {@link ConnectDecision}. Called on the connection's
 * event loop for every handshake, every {@code refresh} and every subscription token, so it must answer
 * from memory and never block; a decision that needs I/O belongs in a {@link ConnectHook}, which runs
 * on the hook executor. An authenticator that throws or returns null refuses the connection with
 * {@code unavailable} (the client retries), and the failure is counted and logged.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * @param token the client's token, or null when it sent none
     * @return the decision; never null
     */
    ConnectDecision authenticate(String token);
}
