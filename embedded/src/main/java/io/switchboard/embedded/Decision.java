package io.switchboard.embedded;

import java.util.Objects;

/**
 * The answer of a subscribe hook: allow, or refuse with a reason the client gets in an {@code error}
 * with code {@code forbidden}.
 */
public final class Decision {

    private static final Decision ALLOW = new Decision(null);

    private final String refusal;

    private Decision(String refusal) {
        this.refusal = refusal;
    }

    /** Allow. */
    public static Decision allow() {
        return ALLOW;
    }

    /** Refuse; {@code reason} is sent to the client. */
    public static Decision refuse(String reason) {
        return new Decision(Objects.requireNonNull(reason, "reason"));
    }

    /** Why it is refused; null when allowed. */
    public String refusal() {
        return refusal;
    }

    /** True when refused. */
    public boolean refused() {
        return refusal != null;
    }
}
