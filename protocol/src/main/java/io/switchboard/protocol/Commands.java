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
            case RPC -> {
                if (e.method() == null || e.method().isEmpty()) {
                    return new Rejected(e.id(), ErrorCode.BAD_REQUEST, "missing method");
                }
                String problem = rpcMethodProblem(e.method());
                if (problem != null) {
                    return new Rejected(e.id(), ErrorCode.BAD_REQUEST, problem);
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** Longest {@code rpc} method name, in characters. */
    public static final int MAX_METHOD = 64;

    /** Null when {@code method} is a valid rpc method name: 1 to 64 of {@code A-Z a-z 0-9 _ . : -}. */
    public static String rpcMethodProblem(String method) {
        if (method.length() > MAX_METHOD) {
            return "method is longer than " + MAX_METHOD + " characters";
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == ':' || c == '-';
            if (!ok) {
                return "method may hold only A-Z a-z 0-9 _ . : -";
            }
        }
        return null;
    }
}
