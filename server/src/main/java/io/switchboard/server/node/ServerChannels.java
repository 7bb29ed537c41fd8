package io.switchboard.server.node;

import io.switchboard.protocol.ChannelNames;
import io.switchboard.server.auth.Principal;
import java.util.ArrayList;
import java.util.List;

/**
 * Which channels the server subscribes a new connection to by itself (server-side subscriptions,
 * docs/backend.md): its principal's {@code subscribe} list (the token's claim, or the connect hook's answer)
 * and its personal channel {@code <hooks.personal-namespace>:#<userId>}.
 */
public final class ServerChannels {

    private ServerChannels() {
    }

    /**
     * The channels, in order: the principal's list, then the personal channel when {@code personalNamespace}
     * is set, the user is not anonymous, and the id fits in a channel name.
     */
    public static List<String> of(Principal principal, String personalNamespace) {
        List<String> out = new ArrayList<>(principal.subscribe());
        String personal = personal(principal, personalNamespace);
        if (personal != null && !out.contains(personal)) {
            out.add(personal);
        }
        return out;
    }

    /** The personal channel of a user ({@code <namespace>:#<userId>}), or null when there is none. */
    public static String personal(Principal principal, String personalNamespace) {
        if (personalNamespace == null || principal.anonymous()) {
            return null;
        }
        String name = personalNamespace + ":#" + principal.userId();
        return ChannelNames.problem(name) == null ? name : null;
    }
}
