package io.switchboard.server.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.node.ChannelException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the backend's answer objects (docs/backend.md, "Hooks in"): an {@code error} refuses with one of the
 * codes the hook may use; the other fields decide. A field of the wrong type, or an error code the hook may not
 * use, is an answer the node cannot use ({@link HookFailure.Reason#INVALID}), never the client's problem.
 */
final class HookAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest refusal message passed on to the client, in characters. */
    static final int MAX_MESSAGE = 200;

    /** Connect and refresh refusals, with the close code a refused handshake ends with. */
    static final Map<ErrorCode, CloseCode> CONNECT_CODES = Map.of(ErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED,
            ErrorCode.FORBIDDEN, CloseCode.FORBIDDEN, ErrorCode.TOKEN_EXPIRED, CloseCode.TOKEN_EXPIRED,
            ErrorCode.LIMIT_EXCEEDED, CloseCode.CONNECTION_LIMIT, ErrorCode.UNAVAILABLE, CloseCode.GOING_AWAY);
    static final Set<ErrorCode> SUBSCRIBE_CODES = Set.of(ErrorCode.FORBIDDEN, ErrorCode.UNKNOWN_CHANNEL,
            ErrorCode.LIMIT_EXCEEDED, ErrorCode.RATE_LIMITED, ErrorCode.NOT_AVAILABLE, ErrorCode.UNAVAILABLE);
    static final Set<ErrorCode> PUBLISH_CODES = Set.of(ErrorCode.FORBIDDEN, ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE,
            ErrorCode.LIMIT_EXCEEDED, ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE);
    static final Set<ErrorCode> RPC_CODES = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.FORBIDDEN, ErrorCode.NOT_AVAILABLE,
            ErrorCode.TOO_LARGE, ErrorCode.LIMIT_EXCEEDED, ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE);

    private HookAnswers() {
    }

    /** Throws the refusal an answer's {@code error} holds, if it holds one. */
    static void refusal(JsonNode answer, Set<ErrorCode> allowed) {
        JsonNode error = answer.get("error");
        if (error == null || error.isNull()) {
            return;
        }
        ErrorCode code = code(error, allowed);
        throw new ChannelException(code, message(error));
    }

    /**
     * The principal a connect or refresh answer admits: {@code user} (absent: the one the token named),
     * {@code info}, {@code expiresAt} (milliseconds since the epoch), {@code channels} and {@code subscribe}
     * (channels the server subscribes the connection to); absent fields keep
     * what {@code current} has. An {@code error} refuses with its code.
     */
    static Principal principal(JsonNode answer, Principal current, boolean allowAnonymous) throws AuthException {
        JsonNode error = answer.get("error");
        if (error != null && !error.isNull()) {
            ErrorCode code = code(error, CONNECT_CODES.keySet());
            throw new AuthException(code, CONNECT_CODES.get(code), message(error));
        }
        JsonNode user = answer.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw invalid("user is not a string");
        }
        String id = user == null || user.isNull() ? current.userId() : user.asText();
        boolean anonymous = id.isEmpty();
        if (anonymous && !allowAnonymous) {
            throw AuthException.unauthorized("the backend named no user, and this node admits no anonymous connections");
        }
        JsonNode exp = answer.get("expiresAt");
        if (exp != null && !exp.isNull() && !exp.canConvertToLong()) {
            throw invalid("expiresAt is not a number of milliseconds");
        }
        long expires = exp == null || exp.isNull() ? (anonymous ? Long.MAX_VALUE : current.expiresAtMillis()) : exp.asLong();
        List<String> channels = current.channels();
        JsonNode ch = answer.get("channels");
        if (ch != null && !ch.isNull()) {
            if (!ch.isArray()) {
                throw invalid("channels is not a list");
            }
            channels = new ArrayList<>();
            for (JsonNode c : ch) {
                if (!c.isTextual()) {
                    throw invalid("channels holds a non-string");
                }
                channels.add(c.asText());
            }
        }
        List<String> subscribe = current.subscribe();
        JsonNode sub = answer.get("subscribe");
        if (sub != null && !sub.isNull()) {
            if (!sub.isArray()) {
                throw invalid("subscribe is not a list");
            }
            subscribe = new ArrayList<>();
            for (JsonNode c : sub) {
                if (!c.isTextual()) {
                    throw invalid("subscribe holds a non-string");
                }
                subscribe.add(c.asText());
            }
        }
        byte[] info = current.info();
        JsonNode i = answer.get("info");
        if (i != null) {
            info = i.isNull() ? null : bytes(i, Integer.MAX_VALUE, "info");
        }
        if (anonymous) {
            return Principal.ANONYMOUS;
        }
        return new Principal(id, false, expires, List.copyOf(channels), info, subscribe);
    }

    /** The JSON bytes of an answer's field, which must fit in {@code max} bytes. */
    static byte[] bytes(JsonNode value, int max, String field) {
        byte[] b;
        try {
            b = JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw invalid(field + " cannot be written");
        }
        if (b.length > max) {
            throw new HookFailure(HookFailure.Reason.TOO_LARGE, "the answer's " + field + " is over " + max + " bytes");
        }
        return b;
    }

    private static ErrorCode code(JsonNode error, Set<ErrorCode> allowed) {
        if (!error.isObject() || !error.path("code").isTextual()) {
            throw invalid("error is not an object with a code");
        }
        ErrorCode code = ErrorCode.fromWireName(error.get("code").asText());
        if (code == null || !allowed.contains(code)) {
            throw invalid("its error code is not one this hook may answer");
        }
        return code;
    }

    private static String message(JsonNode error) {
        String m = error.path("message").asText("");
        if (m.isEmpty()) {
            return "refused by the application";
        }
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m;
    }

    private static HookFailure invalid(String why) {
        return new HookFailure(HookFailure.Reason.INVALID, "the answer's " + why);
    }
}
