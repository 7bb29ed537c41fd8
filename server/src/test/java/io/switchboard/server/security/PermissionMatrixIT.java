package io.switchboard.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every access level against every kind of user for every action: one namespace per level (named
 * after it) with history and presence on, and that level for subscribe, publish, history and presence.
 */
class PermissionMatrixIT {

    enum Who { ANONYMOUS, PLAIN_USER, USER_WITH_CLAIM }

    static boolean expected(Access level, Who who) {
        return switch (level) {
            case ANONYMOUS -> true;
            case AUTHENTICATED -> who != Who.ANONYMOUS;
            case CLAIM -> who == Who.USER_WITH_CLAIM;
            case NONE -> false;
        };
    }

    @Test
    void everyLevelAdmitsExactlyWhoItSays() throws Exception {
        Namespaces.Builder ns = Namespaces.builder();
        for (Access level : Access.values()) {
            ns.put(NamespaceConfig.plain(level.wireName()).withHistory(10, Duration.ofMinutes(1)).withPresence(true, true)
                    .withAccess(level, level, level, level));
        }
        List<String> failures = new ArrayList<>();
        int checks = 0;
        try (TestServer node = TestServer.start(TestServer.config().namespaces(ns.build()).allowAnonymous(true))) {
            for (Who who : Who.values()) {
                try (WsClient c = switch (who) {
                    case ANONYMOUS -> anonymous(node);
                    case PLAIN_USER -> node.client("plain");
                    case USER_WITH_CLAIM -> node.client("member", Map.of("channels",
                            List.of("anonymous:*", "authenticated:*", "claim:*", "none:*")));
                }) {
                    for (Access level : Access.values()) {
                        String channel = level.wireName() + ":room";
                        boolean allowed = expected(level, who);
                        for (String action : List.of("subscribe", "publish", "history", "presence")) {
                            Envelope reply = c.call(action, channel, action.equals("publish") ? "\"payload\":1" : null);
                            boolean admitted = reply.type() == MessageType.ACK;
                            checks++;
                            if (admitted != allowed || (!admitted && !"forbidden".equals(reply.code()))) {
                                failures.add(String.format(Locale.ROOT, "%s %s on %s-level namespace: got %s", who, action, level, reply));
                            }
                        }
                    }
                }
            }
        }
        assertThat(checks).isEqualTo(Who.values().length * Access.values().length * 4);
        assertThat(failures).isEmpty();
    }

    private static WsClient anonymous(TestServer node) throws Exception {
        WsClient c = WsClient.to(node.port()).connect();
        c.awaitType(MessageType.WELCOME);
        return c;
    }
}
