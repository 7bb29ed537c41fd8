package io.switchboard.client;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the presence pushes of a subscribed channel ({@code presenceUpdate}, {@code presenceDiff},
 * {@code presenceCount}) into what a {@link SubscriptionListener} is told. Owns only the reading: an unreadable
 * push is null (and ignored); {@link Subscriptions} finds the subscription and calls its listener.
 */
final class PresencePushes {

    private PresencePushes() {
    }

    /** A {@code presenceUpdate} push as an event, or null when it has no readable payload. */
    static PresenceEvent update(Envelope e) {
        JsonTree.Node n = parse(e);
        return n == null ? null : new PresenceEvent(e.channel(), n.string("userId"), "online".equals(n.string("status")),
                n.longValue("timestamp", 0));
    }

    /** A {@code presenceDiff} or {@code presenceCount} push as the listener call it makes, or null when unreadable. */
    static Consumer<SubscriptionListener> window(Envelope e) {
        JsonTree.Node n = parse(e);
        if (n == null) {
            return null;
        }
        long users = n.longValue("users", -1);
        if (e.type() == MessageType.PRESENCE_COUNT) {
            return l -> l.onPresenceCount(e.channel(), users);
        }
        PresenceDiff d = new PresenceDiff(e.channel(), strings(n.get("joins")), strings(n.get("leaves")), users);
        return l -> l.onPresenceDiff(d);
    }

    private static JsonTree.Node parse(Envelope e) {
        if (e.payload() == null) {
            return null;
        }
        try {
            return JsonTree.parse(e.payload());
        } catch (IllegalArgumentException bad) {
            return null;
        }
    }

    private static List<String> strings(JsonTree.Node list) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (JsonTree.Node u : list.items()) {
                if (u.text() != null) {
                    out.add(u.text());
                }
            }
        }
        return out;
    }
}
