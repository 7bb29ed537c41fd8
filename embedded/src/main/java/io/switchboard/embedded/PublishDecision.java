package io.switchboard.embedded;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer of a publish hook: publish as sent, publish another payload instead (for example with a
 * profanity removed, or a field the server adds), or refuse with a reason the client gets in an
 * {@code error} with code {@code forbidden}. A replacement must be JSON and fit the payload limit, or
 * the publish is answered {@code unavailable} and the hook's failure counted.
 */
public final class PublishDecision {

    private static final PublishDecision ALLOW = new PublishDecision(null, null);

    private final byte[] replacement;
    private final String refusal;

    private PublishDecision(byte[] replacement, String refusal) {
        this.replacement = replacement;
        this.refusal = refusal;
    }

    /** Publish the payload as sent. */
    public static PublishDecision allow() {
        return ALLOW;
    }

    /** Publish {@code json} instead of what the client sent. */
    public static PublishDecision replace(String json) {
        return new PublishDecision(Objects.requireNonNull(json, "json").getBytes(StandardCharsets.UTF_8), null);
    }

    /** Refuse the publish; {@code reason} is sent to the client. */
    public static PublishDecision refuse(String reason) {
        return new PublishDecision(null, Objects.requireNonNull(reason, "reason"));
    }

    /** The replacement payload (UTF-8 JSON), or null. */
    public byte[] replacement() {
        return replacement == null ? null : replacement.clone();
    }

    /** Why it is refused; null otherwise. */
    public String refusal() {
        return refusal;
    }

    /** True when refused. */
    public boolean refused() {
        return refusal != null;
    }
}
