package io.switchboard.client;

import java.util.List;

/**
 * Who is subscribed to a channel that tracks presence. Immutable.
 *
 * @param clients one entry per subscribed connection
 * @param users   how many distinct users these connections belong to
 */
public record Presence(List<Client> clients, int users) {

    public Presence {
        clients = List.copyOf(clients);
    }

    /**
     * One subscribed connection.
     *
     * @param clientId the connection's session id
     * @param userId   its user
     * @param info     the token's {@code info} claim as JSON, or null
     */
    public record Client(String clientId, String userId, String info) {
    }
}
