package io.switchboard.server.session;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.util.Json;

/** What a session tells its client about the connection: the welcome (protocol.md 3), and the rules of a refresh (4.8). */
final class Welcome {

    private Welcome() {
    }

    /** The payload of the {@code welcome} push: the session, the heartbeat, the limits, the token's expiry. */
    static byte[] payload(String sessionId, Principal principal, String serverVersion, ServerConfig config) {
        return Json.object(g -> {
            g.writeStringField("sessionId", sessionId);
            g.writeStringField("userId", principal.userId());
            g.writeStringField("server", "switchboard/" + serverVersion);
            g.writeNumberField("protocol", Envelope.VERSION);
            g.writeObjectFieldStart("heartbeat");
            g.writeNumberField("intervalMs", config.heartbeatInterval().toMillis());
            g.writeNumberField("timeoutMs", config.heartbeatTimeout().toMillis());
            g.writeEndObject();
            g.writeObjectFieldStart("limits");
            g.writeNumberField("maxFrameBytes", config.maxFrameBytes());
            g.writeNumberField("maxChannels", config.limits().maxChannelsPerConnection());
            g.writeNumberField("maxQueuedBytes", config.maxQueuedBytes());
            g.writeEndObject();
            if (principal.expires()) {
                g.writeNumberField("expiresAt", principal.expiresAtMillis());
            }
        });
    }

    /** Why a refresh is refused: the error code and message of its answer. */
    record Refusal(ErrorCode code, String message) {
    }

    /** Why a connection authenticated as {@code current} may not take the verified token {@code next}, or null when it may. */
    static Refusal refreshProblem(Principal current, Principal next, ServerConfig config) {
        if (current.anonymous()) {
            return new Refusal(ErrorCode.FORBIDDEN, "an anonymous connection cannot take a token; reconnect with it");
        }
        if (next.anonymous() || !next.userId().equals(current.userId())) {
            return new Refusal(ErrorCode.FORBIDDEN, "the new token is for another user");
        }
        if (next.info() != null && next.info().length > config.maxPresenceInfoBytes()) {
            return new Refusal(ErrorCode.TOO_LARGE, "the token's info claim is over " + config.maxPresenceInfoBytes() + " bytes");
        }
        return null;
    }
}
