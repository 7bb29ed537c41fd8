package io.switchboard.server.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.Hooks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The node's {@link Hooks} seam answered by the application's backend (hooks in, configured in {@code hooks:}):
 * each decision is a call through a {@link HookTransport} (HTTP today) with a JSON request, and the answer
 * object is read by {@link HookAnswers}. A call that gives no usable answer (the backend is down, too slow,
 * answers a wrong status, garbage or too much) is counted and logged by {@link HookMetrics} and means what the
 * hook's {@code on-failure} says: {@code unavailable} (retryable) by default, or going on as if there were no
 * hook. Nothing here blocks: every decision completes on the transport's threads.
 */
public final class BackendHooks implements Hooks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HooksConfig config;
    private final HookTransport transport;
    private final HookMetrics metrics;
    private final boolean allowAnonymous;
    private final int maxPayloadBytes;
    private final Set<String> keptHeaders = new HashSet<>();
    private final Set<String> keptCookies = new HashSet<>();

    /**
     * @param allowAnonymous  whether the node admits connections without a user
     * @param maxPayloadBytes the largest publication and rpc payload (a replacement or a result over it fails)
     */
    public BackendHooks(HooksConfig config, HookTransport transport, MeterRegistry registry, boolean allowAnonymous,
                        int maxPayloadBytes) {
        this.config = config;
        this.transport = transport;
        this.metrics = new HookMetrics(registry);
        this.allowAnonymous = allowAnonymous;
        this.maxPayloadBytes = maxPayloadBytes;
        for (HooksConfig.Hook h : config.hooks().values()) {
            if (!h.name().equals("connect")) {
                keptHeaders.addAll(h.headers());
                keptCookies.addAll(h.cookies());
            }
        }
    }

    /** Hooks over HTTP, or null when the config names none. */
    public static BackendHooks http(HooksConfig config, MeterRegistry registry, boolean allowAnonymous, int maxPayloadBytes) {
        return config.any()
                ? new BackendHooks(config, new HttpHookTransport(config.maxAnswerBytes()), registry, allowAnonymous, maxPayloadBytes)
                : null;
    }

    @Override
    public boolean decidesConnect() {
        return config.hook("connect") != null;
    }

    @Override
    public boolean decidesTokenless() {
        return decidesConnect();
    }

    @Override
    public boolean decidesRefresh() {
        return config.hook("refresh") != null;
    }

    @Override
    public boolean decidesSubscribe() {
        return config.hook("subscribe") != null;
    }

    @Override
    public boolean decidesSubscribe(String ns) {
        HooksConfig.Hook h = config.hook("subscribe");
        return h != null && h.covers(ns);
    }

    @Override
    public boolean decidesPublish() {
        return config.hook("publish") != null;
    }

    @Override
    public boolean decidesPublish(String ns) {
        HooksConfig.Hook h = config.hook("publish");
        return h != null && h.covers(ns);
    }

    @Override
    public boolean decidesRpc() {
        return config.hook("rpc") != null;
    }

    @Override
    public Map<String, List<String>> keep(Map<String, List<String>> handshakeHeaders) {
        if (keptHeaders.isEmpty() && keptCookies.isEmpty()) {
            return Map.of();
        }
        return PassedHeaders.select(handshakeHeaders, keptHeaders, keptCookies);
    }

    // ---- the decisions ----------------------------------------------------------------------------

    @Override
    public CompletionStage<Principal> connect(Handshake handshake, Principal authenticated) {
        HooksConfig.Hook hook = config.hook("connect");
        ObjectNode req = JSON.createObjectNode().put("hook", "connect")
                .put("user", authenticated.userId()).put("anonymous", authenticated.anonymous())
                .put("remoteAddress", handshake.remoteAddress()).put("transport", "websocket");
        return call(hook, req, handshake.headers(), answer -> HookAnswers.principal(answer, authenticated, allowAnonymous),
                () -> {
                    if (authenticated.anonymous() && !allowAnonymous) {
                        throw unavailableConnect();
                    }
                    return authenticated;
                }, BackendHooks::unavailableConnect);
    }

    @Override
    public CompletionStage<Principal> refresh(Caller caller, String token) {
        HooksConfig.Hook hook = config.hook("refresh");
        ObjectNode req = clientRequest("refresh", caller).put("token", token);
        return call(hook, req, caller.headers(), answer -> HookAnswers.principal(answer, caller.principal(), allowAnonymous),
                null, () -> AuthException.unavailable("the refresh hook failed; retry later"));
    }

    @Override
    public CompletionStage<Void> subscribe(Caller caller, String channel) {
        HooksConfig.Hook hook = config.hook("subscribe");
        ObjectNode req = clientRequest("subscribe", caller).put("channel", channel);
        return call(hook, req, caller.headers(), answer -> {
            HookAnswers.refusal(answer, HookAnswers.SUBSCRIBE_CODES);
            return null;
        }, () -> null, () -> unavailable("subscribe"));
    }

    @Override
    public CompletionStage<byte[]> publish(Caller caller, String channel, byte[] payload) {
        HooksConfig.Hook hook = config.hook("publish");
        ObjectNode req = clientRequest("publish", caller).put("channel", channel);
        req.set("payload", tree(payload));
        return call(hook, req, caller.headers(), answer -> {
            HookAnswers.refusal(answer, HookAnswers.PUBLISH_CODES);
            JsonNode replaced = answer.get("payload");
            return replaced == null ? payload : HookAnswers.bytes(replaced, maxPayloadBytes, "payload");
        }, () -> payload, () -> unavailable("publish"));
    }

    @Override
    public CompletionStage<byte[]> rpc(Caller caller, String method, byte[] payload) {
        HooksConfig.Hook hook = config.hook("rpc");
        ObjectNode req = clientRequest("rpc", caller).put("method", method);
        req.set("payload", payload == null ? JSON.nullNode() : tree(payload));
        return call(hook, req, caller.headers(), answer -> {
            HookAnswers.refusal(answer, HookAnswers.RPC_CODES);
            JsonNode result = answer.get("result");
            return HookAnswers.bytes(result == null ? JSON.nullNode() : result, maxPayloadBytes, "result");
        }, null, () -> unavailable("rpc"));
    }

    // ---- how every call goes ----------------------------------------------------------------------

    /**
     * Calls {@code hook}, and reads its answer with {@code read}. {@code read} throws {@link AuthException} or
     * {@link ChannelException} for the backend's refusal, and {@link HookFailure} for an answer it cannot use.
     * A failed call is counted and logged, then answered by {@code otherwise} when the hook says
     * {@code on-failure: allow} (and there is one), else failed with {@code unavailable}.
     */
    private <T> CompletableFuture<T> call(HooksConfig.Hook hook, ObjectNode request, Map<String, List<String>> headers,
                                          Reading<T> read, Fallback<T> otherwise, java.util.function.Supplier<Exception> unavailable) {
        long start = System.nanoTime();
        Map<String, List<String>> passed = PassedHeaders.select(headers, hook.headers(), hook.cookies());
        return transport.call(hook, request, passed).handle((answer, failure) -> {
            metrics.called(hook.name(), start);
            try {
                if (failure != null) {
                    throw unwrap(failure);
                }
                return read.apply(answer);
            } catch (HookFailure f) {
                metrics.failed(hook.name(), f);
                if (hook.onFailure() == HooksConfig.OnFailure.ALLOW && otherwise != null) {
                    try {
                        return otherwise.get();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }
                throw new CompletionException(unavailable.get());
            } catch (AuthException | ChannelException refused) {
                throw new CompletionException(refused);
            } catch (Throwable t) { // a transport's bug: never the client's fault, never silent
                metrics.failed(hook.name(), new HookFailure(HookFailure.Reason.UNREACHABLE, "failed: " + t.getClass().getSimpleName()));
                throw new CompletionException(unavailable.get());
            }
        });
    }

    @FunctionalInterface
    private interface Reading<T> {
        T apply(ObjectNode answer) throws AuthException;
    }

    @FunctionalInterface
    private interface Fallback<T> {
        T get() throws AuthException;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static ObjectNode clientRequest(String hook, Caller caller) {
        Principal p = caller.principal();
        ObjectNode req = JSON.createObjectNode().put("hook", hook).put("user", p.userId()).put("anonymous", p.anonymous())
                .put("client", caller.clientId());
        if (caller.clientAddress() != null) {
            req.put("remoteAddress", caller.clientAddress());
        }
        return req;
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ChannelException(ErrorCode.BAD_REQUEST, "the payload is not JSON");
        }
    }

    private static AuthException unavailableConnect() {
        return AuthException.unavailable("the connect hook failed; retry later");
    }

    private static ChannelException unavailable(String hook) {
        return new ChannelException(ErrorCode.UNAVAILABLE, "the " + hook + " hook failed; retry later");
    }

    /** Stops the transport; calls in flight fail. */
    public void close() {
        transport.close();
    }

    /** The passed-on headers of one call. */
    static final class PassedHeaders {
        private PassedHeaders() {
        }

        /** {@code headers}' entries named in {@code names}, and a {@code cookie} header of the cookies named in {@code cookies}. */
        static Map<String, List<String>> select(Map<String, List<String>> headers, Set<String> names, Set<String> cookies) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String n : names) {
                List<String> v = headers.get(n);
                if (v != null) {
                    out.put(n, List.copyOf(v));
                }
            }
            if (!cookies.isEmpty()) {
                List<String> kept = new ArrayList<>();
                for (String line : headers.getOrDefault("cookie", List.of())) {
                    for (String pair : line.split(";")) {
                        String p = pair.trim();
                        int eq = p.indexOf('=');
                        if (eq > 0 && cookies.contains(p.substring(0, eq).trim())) {
                            kept.add(p);
                        }
                    }
                }
                if (!kept.isEmpty()) {
                    out.put("cookie", List.of(String.join("; ", kept)));
                }
            }
            return out.isEmpty() ? Map.of() : Map.copyOf(out);
        }
    }
}
