package io.switchboard.embedded.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.embedded.AsyncConnectHook;
import io.switchboard.embedded.AsyncPublishHook;
import io.switchboard.embedded.AsyncSubscribeHook;
import io.switchboard.embedded.Authenticator;
import io.switchboard.embedded.ConnectDecision;
import io.switchboard.embedded.ConnectHook;
import io.switchboard.embedded.ConnectRequest;
import io.switchboard.embedded.Decision;
import io.switchboard.embedded.PublishDecision;
import io.switchboard.embedded.PublishHook;
import io.switchboard.embedded.PublishRequest;
import io.switchboard.embedded.RpcHook;
import io.switchboard.embedded.AsyncRpcHook;
import io.switchboard.embedded.RpcRequest;
import io.switchboard.embedded.RpcResult;
import io.switchboard.embedded.SubscribeHook;
import io.switchboard.embedded.SubscribeRequest;
import io.switchboard.embedded.User;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.Hooks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's hooks (connect, subscribe, publish, rpc) as the node's {@link Hooks} seam: blocking hooks run on a bounded executor,
 * every hook is bounded by the timeout, and a hook that throws, returns null, answers late, finds the
 * queue full or returns invalid JSON is answered {@code unavailable}, counted in
 * {@code switchboard.hook.failures{hook, reason}} and logged (the first failure of a hook with its stack
 * trace, later ones one line at most every 10 s). Internal: not part of the public API.
 */
public final class HookRunner implements Hooks {

    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Authenticator authenticator;
    private final Function<ConnectRequest, CompletionStage<ConnectDecision>> connect;
    private final Function<SubscribeRequest, CompletionStage<Decision>> subscribe;
    private final Function<PublishRequest, CompletionStage<PublishDecision>> publish;
    private final Function<RpcRequest, CompletionStage<RpcResult>> rpc;
    private final Duration timeout;
    private final ThreadPoolExecutor executor; // null when no blocking hook is set
    private volatile boolean allowAnonymous;
    private volatile MeterRegistry registry;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();

    private HookRunner(Builder b) {
        this.authenticator = b.authenticator;
        this.timeout = b.timeout;
        this.executor = b.anyBlocking() ? newExecutor(b.threads, b.queue) : null;
        this.connect = b.connectAsync != null ? b.connectAsync::decide : b.connect == null ? null : r -> blocking(() -> b.connect.decide(r));
        this.subscribe = b.subscribeAsync != null ? b.subscribeAsync::decide : b.subscribe == null ? null : r -> blocking(() -> b.subscribe.decide(r));
        this.publish = b.publishAsync != null ? b.publishAsync::decide : b.publish == null ? null : r -> blocking(() -> b.publish.decide(r));
        this.rpc = b.rpcAsync != null ? b.rpcAsync::call : b.rpc == null ? null : r -> blocking(() -> b.rpc.call(r));
    }

    /** Called once the node runs: where failures are counted, and whether anonymous connections are allowed. */
    public void bind(MeterRegistry registry, boolean allowAnonymous) {
        this.registry = registry;
        this.allowAnonymous = allowAnonymous;
    }

    /** The application's authenticator as the node's, or null when the node keeps its JWT check. */
    public io.switchboard.server.auth.Authenticator authenticator() {
        if (authenticator == null) {
            return null;
        }
        return token -> {
            ConnectDecision d;
            try {
                d = authenticator.authenticate(token);
            } catch (RuntimeException e) {
                failed("authenticate", "threw", e);
                throw AuthException.unavailable("the authenticator failed; retry later");
            }
            if (d == null) {
                failed("authenticate", "null", null);
                throw AuthException.unavailable("the authenticator failed; retry later");
            }
            return principal(d, "authenticate");
        };
    }

    @Override
    public boolean decidesConnect() {
        return connect != null;
    }

    @Override
    public boolean decidesSubscribe() {
        return subscribe != null;
    }

    @Override
    public boolean decidesPublish() {
        return publish != null;
    }

    @Override
    public boolean decidesRpc() {
        return rpc != null;
    }

    @Override
    public CompletionStage<Principal> connect(Handshake h, Principal authenticated) {
        ConnectRequest r = new ConnectRequest(authenticated.anonymous() ? null : user(authenticated), h.token(), h.headers(),
                h.remoteAddress());
        return call("connect", () -> connect.apply(r), () -> AuthException.unavailable("the connect hook failed; retry later"))
                .thenApply(d -> {
                    try {
                        return principal(d, "connect");
                    } catch (AuthException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    @Override
    public CompletionStage<Void> subscribe(Caller caller, String channel) {
        SubscribeRequest r = new SubscribeRequest(caller.principal().userId(), caller.clientId(), channel);
        return call("subscribe", () -> subscribe.apply(r), () -> unavailable("subscribe")).thenApply(d -> {
            if (d.refused()) {
                throw new ChannelException(ErrorCode.FORBIDDEN, d.refusal());
            }
            return null;
        });
    }

    @Override
    public CompletionStage<byte[]> publish(Caller caller, String channel, byte[] payload) {
        PublishRequest r = new PublishRequest(caller.principal().userId(), caller.clientId(), channel, payload);
        return call("publish", () -> publish.apply(r), () -> unavailable("publish")).thenApply(d -> {
            if (d.refused()) {
                throw new ChannelException(ErrorCode.FORBIDDEN, d.refusal());
            }
            byte[] replacement = d.replacement();
            if (replacement == null) {
                return payload;
            }
            if (!isJson(replacement)) {
                failed("publish", "invalid", null);
                throw unavailable("publish");
            }
            return replacement;
        });
    }

    @Override
    public CompletionStage<byte[]> rpc(Caller caller, String method, byte[] payload) {
        RpcRequest r = new RpcRequest(caller.principal().userId(), caller.clientId(), method, payload);
        return call("rpc", () -> rpc.apply(r), () -> unavailable("rpc")).thenApply(d -> {
            if (d.refused()) {
                throw new ChannelException(ErrorCode.fromWireName(d.code()), d.message());
            }
            byte[] json = d.json();
            if (!isJson(json)) {
                failed("rpc", "invalid", null);
                throw unavailable("rpc");
            }
            return json;
        });
    }

    /** Stops the executor; calls still running are interrupted. */
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    // ---- the rules every hook call follows ------------------------------------------------------

    private <T> CompletableFuture<T> call(String hook, Callable<CompletionStage<T>> start, java.util.function.Supplier<Exception> failure) {
        CompletableFuture<T> f;
        try {
            CompletionStage<T> stage = start.call();
            if (stage == null) {
                failed(hook, "null", null);
                return CompletableFuture.failedFuture(failure.get());
            }
            f = stage.toCompletableFuture();
        } catch (Exception e) {
            failed(hook, "threw", e);
            return CompletableFuture.failedFuture(failure.get());
        }
        // A copy, so that the timeout never completes the application's own future.
        return f.thenApply(x -> x).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((value, t) -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof RejectedHook) {
                failed(hook, "rejected", null);
            } else if (cause instanceof TimeoutException) {
                failed(hook, "timeout", null);
            } else if (cause != null) {
                failed(hook, "threw", cause);
            } else if (value == null) {
                failed(hook, "null", null);
            } else {
                return value;
            }
            throw new CompletionException(failure.get());
        });
    }

    private <T> CompletionStage<T> blocking(Callable<T> hook) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    f.complete(hook.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new RejectedHook());
        }
        return f;
    }

    private Principal principal(ConnectDecision d, String hook) throws AuthException {
        if (d.refused()) {
            throw AuthException.unauthorized(d.refusal());
        }
        User u = d.user();
        if (u == null) {
            if (!allowAnonymous) {
                throw AuthException.unauthorized("this node needs a user; anonymous connections are off");
            }
            return Principal.ANONYMOUS;
        }
        byte[] info = u.info() == null ? null : u.info().getBytes(StandardCharsets.UTF_8);
        if (info != null && !isJson(info)) {
            failed(hook, "invalid", null);
            throw AuthException.unavailable("the " + hook + " hook failed; retry later");
        }
        long exp = u.expiresAt() == null ? Long.MAX_VALUE : u.expiresAt().toEpochMilli();
        return new Principal(u.id(), false, exp, u.channels(), info);
    }

    static User user(Principal p) {
        return new User(p.userId(), p.channels(), p.info() == null ? null : new String(p.info(), StandardCharsets.UTF_8),
                p.expires() ? java.time.Instant.ofEpochMilli(p.expiresAtMillis()) : null);
    }

    private static ChannelException unavailable(String hook) {
        return new ChannelException(ErrorCode.UNAVAILABLE, "the " + hook + " hook failed; retry later");
    }

    /** True when {@code bytes} hold exactly one JSON value. */
    public static boolean isJson(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void failed(String hook, String reason, Throwable cause) {
        MeterRegistry r = registry;
        if (r != null) {
            failures.computeIfAbsent(hook + "/" + reason, k -> Counter.builder("switchboard.hook.failures")
                    .tag("hook", hook).tag("reason", reason)
                    .description("Calls of the application's hooks answered unavailable, by hook and reason").register(r))
                    .increment();
        }
        AtomicLong last = lastLogged.computeIfAbsent(hook, k -> new AtomicLong(Long.MIN_VALUE));
        long now = System.nanoTime();
        long before = last.get();
        boolean first = before == Long.MIN_VALUE;
        if ((first || now - before >= LOG_EVERY_NANOS) && last.compareAndSet(before, now)) {
            String what = switch (reason) {
                case "threw" -> "threw";
                case "null" -> "returned null";
                case "timeout" -> "did not answer within " + timeout.toMillis() + " ms";
                case "rejected" -> "found the hook executor's queue full";
                default -> "returned a payload or info that is not JSON";
            };
            if (first && cause != null) {
                log.warn("the {} hook {}; the client was answered unavailable (counted in switchboard.hook.failures)", hook, what, cause);
            } else {
                log.warn("the {} hook {}{}; the client was answered unavailable (counted in switchboard.hook.failures)", hook, what,
                        cause == null ? "" : ": " + cause);
            }
        }
    }

    private static ThreadPoolExecutor newExecutor(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor e = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "switchboard-hook-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        e.allowCoreThreadTimeOut(true); // an idle node keeps no hook threads
        return e;
    }

    /** The executor's queue was full. */
    private static final class RejectedHook extends RuntimeException {
        RejectedHook() {
            super("hook queue full", null, false, false);
        }
    }

    /** What {@code SwitchboardBuilder} collects. */
    public static final class Builder {
        private Authenticator authenticator;
        private ConnectHook connect;
        private AsyncConnectHook connectAsync;
        private SubscribeHook subscribe;
        private AsyncSubscribeHook subscribeAsync;
        private PublishHook publish;
        private AsyncPublishHook publishAsync;
        private RpcHook rpc;
        private AsyncRpcHook rpcAsync;
        private int threads = 8;
        private int queue = 1024;
        private Duration timeout = Duration.ofSeconds(5);

        public void authenticator(Authenticator a) {
            authenticator = a;
        }

        public void connect(ConnectHook h) {
            connect = h;
            connectAsync = null;
        }

        public void connectAsync(AsyncConnectHook h) {
            connectAsync = h;
            connect = null;
        }

        public void subscribe(SubscribeHook h) {
            subscribe = h;
            subscribeAsync = null;
        }

        public void subscribeAsync(AsyncSubscribeHook h) {
            subscribeAsync = h;
            subscribe = null;
        }

        public void publish(PublishHook h) {
            publish = h;
            publishAsync = null;
        }

        public void publishAsync(AsyncPublishHook h) {
            publishAsync = h;
            publish = null;
        }

        public void rpc(RpcHook h) {
            rpc = h;
            rpcAsync = null;
        }

        public void rpcAsync(AsyncRpcHook h) {
            rpcAsync = h;
            rpc = null;
        }

        public void executor(int threads, int queue) {
            if (threads < 1 || queue < 1) {
                throw new IllegalArgumentException("hook executor: threads and queue must be at least 1");
            }
            this.threads = threads;
            this.queue = queue;
        }

        public void timeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("hook timeout must be positive");
            }
            timeout = d;
        }

        boolean anyBlocking() {
            return connect != null || subscribe != null || publish != null || rpc != null;
        }

        public HookRunner build() {
            return new HookRunner(this);
        }
    }
}
