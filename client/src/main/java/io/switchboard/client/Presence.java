package io.switchboard.client;

import java.util.List;

/**
 * Who is subscribed to a channel that tracks presence, or one page of it. Immutable.
 *
 * @param clients     one entry per subscribed connection (of this page), ordered by connection id
 * @param users       how many distinct users the whole channel has
 * @param connections how many connections the whole channel has
 * @param cursor      where the next page starts ({@link SwitchboardClient#presence(String, int, String)}), or
 *                    null when this is the last page (or the whole list)
 */
public record Presence(List<Client> clients, long users, long connections, String cursor) {

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
