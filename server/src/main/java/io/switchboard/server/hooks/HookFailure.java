package io.switchboard.server.hooks;

/**
 * A call to the backend that gave no usable answer. Its message is the node's own words (never the backend's
 * body), so it can be logged as it is.
 */
public final class HookFailure extends RuntimeException {

    /** Why; the wire name is the {@code reason} tag of {@code switchboard_hook_errors_total}. */
    public enum Reason {
        /** No connection could be made, or it broke before the answer. */
        UNREACHABLE("unreachable"),
        /** No complete answer within the hook's timeout. */
        TIMEOUT("timeout"),
        /** An answer whose status is not 2xx. */
        STATUS("status"),
        /** An answer body over {@code max-answer-bytes}. */
        TOO_LARGE("too_large"),
        /** An answer that is not a JSON object, or has wrongly typed fields or an unknown error code. */
        INVALID("invalid");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Reason reason;

    public HookFailure(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
