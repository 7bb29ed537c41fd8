package io.switchboard.embedded;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer of an rpc hook: a result the client gets in the command's ack (JSON, within the payload limit,
 * or the call is answered {@code unavailable} and counted as the hook's failure), or a refusal the client
 * gets as an {@code error}: {@code forbidden} ({@link #refuse}), {@code bad_request} ({@link #badRequest}) or
 * {@code not_available} ({@link #notAvailable}, e.g. an unknown method).
 */
public final class RpcResult {

    private final byte[] json;
    private final String code;
    private final String message;

    private RpcResult(byte[] json, String code, String message) {
        this.json = json;
        this.code = code;
        this.message = message;
    }

    /** Answers with {@code json} (any JSON value; {@code "null"} for none). */
    public static RpcResult of(String json) {
        return new RpcResult(Objects.requireNonNull(json, "json").getBytes(StandardCharsets.UTF_8), null, null);
    }

    /** Refuses with {@code forbidden}; {@code reason} is sent to the client. */
    public static RpcResult refuse(String reason) {
        return new RpcResult(null, "forbidden", Objects.requireNonNull(reason, "reason"));
    }

    /** Refuses with {@code bad_request}: the argument is wrong. */
    public static RpcResult badRequest(String reason) {
        return new RpcResult(null, "bad_request", Objects.requireNonNull(reason, "reason"));
    }

    /** Refuses with {@code not_available}: no such method (here, or for this user). */
    public static RpcResult notAvailable(String reason) {
        return new RpcResult(null, "not_available", Objects.requireNonNull(reason, "reason"));
    }

    /** The result's JSON (UTF-8), or null when refused. */
    public byte[] json() {
        return json == null ? null : json.clone();
    }

    /** The error code of a refusal ({@code forbidden}, {@code bad_request}, {@code not_available}), or null. */
    public String code() {
        return code;
    }

    /** Why it is refused; null otherwise. */
    public String message() {
        return message;
    }

    public boolean refused() {
        return code != null;
    }
}
