package io.switchboard.protocol;

/**
 * The server-side rules a decoded envelope must meet to be a valid client command: a client type, an
 * id where one is required, and the fields its type needs.
 */
public final class Commands {

    private Commands() {
    }

    /** Null when {@code e} is a valid client command, otherwise the rejection to send back. */
    public static Rejected check(Envelope e) {
        MessageType t = e.type();
        if (!t.isClientCommand()) {
            return new Rejected(e.id(), ErrorCode.UNKNOWN_TYPE, "'" + t.wireName() + "' is sent by the server, not by clients");
        }
        if (t.clientMustSendId() && e.id() == null) {
            return new Rejected(null, ErrorCode.BAD_REQUEST, "missing id: every " + t.wireName() + " command needs one");
        }
        switch (t) {
            case SUBSCRIBE, UNSUBSCRIBE, PUBLISH, PRESENCE, HISTORY -> {
                if (e.channel() == null) {
                    return new Rejected(e.id(), ErrorCode.BAD_REQUEST, "missing channel");
                }
                String problem = ChannelNames.problem(e.channel());
                if (problem != null) {
                    return new Rejected(e.id(), ErrorCode.UNKNOWN_CHANNEL, problem);
                }
                if (t == MessageType.PUBLISH && e.payload() == null) {
                    return new Rejected(e.id(), ErrorCode.BAD_REQUEST, "missing payload");
                }
            }
            case REFRESH -> {
                if (e.token() == null || e.token().isEmpty()) {
                    return new Rejected(e.id(), ErrorCode.BAD_REQUEST, "missing token");
                }
            }
            default -> {
            }
        }
        return null;
    }
}
