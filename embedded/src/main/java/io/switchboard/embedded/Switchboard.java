package io.switchboard.embedded;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.embedded.internal.HookRunner;
import io.switchboard.protocol.CloseCode;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.Engines;
import io.switchboard.server.node.Node;
import io.switchboard.server.transport.PortCheck;
import io.switchboard.server.transport.SwitchboardServer;
import io.switchboard.server.transport.WarmUp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Switchboard node inside a JVM application: the same protocol, guarantees and front doors as the
 * standalone server ({@code /ws}, the server API and admin page when API keys are given, {@code /metrics},
 * the health probes), on its own Netty port, with the application's Java code deciding who may connect,
 * subscribe and publish, and calling the node directly instead of over HTTP.
 *
 * <pre>{@code
 * try (Switchboard sb = Switchboard.builder().port(8081).jwtSecret(secret).build().start()) {
 *     sb.publish("chat:lobby", "{\"text\":\"hello\"}").toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>{@link #start()} once; {@link #close()} drains (sessions are closed with 1001 over the drain window,
 * new ones are refused) and stops. The operations are thread-safe, never block, and act as the server
 * side: they pass every namespace's access rules and are not shown to the hooks. Their stages complete on
 * a node thread: do not block in their callbacks. A refused or failed operation fails its stage with a
 * {@link SwitchboardException} carrying the protocol's error code.
 */
public final class Switchboard implements AutoCloseable {

    private final ServerConfig config;
    private final HookRunner hooks;
    private final MeterRegistry meterRegistry;
    private SwitchboardServer server;
    private volatile boolean running;

    Switchboard(ServerConfig config, HookRunner.Builder hooks, MeterRegistry meterRegistry) {
        this.config = config;
        this.hooks = hooks.build();
        this.meterRegistry = meterRegistry;
    }

    /** A new builder with the CLI's defaults: memory engine, 127.0.0.1:8080, a random JWT secret. */
    public static SwitchboardBuilder builder() {
        return new SwitchboardBuilder();
    }

    /**
     * Runs the warm-up when {@link SwitchboardBuilder#warmUpSessions} asked for one, then starts the engine and
     * binds the port; returns this. Fails with an {@link IllegalStateException} when
     * the port is taken, a key file is bad or the engine cannot start.
     */
    public synchronized Switchboard start() {
        if (server != null) {
            throw new IllegalStateException("this node was started already");
        }
        if (config.warmUpSessions() > 0) {
            PortCheck.free(config); // a port that is taken is reported before the warm-up's seconds, not after
            WarmUp.runLogged(config, ServerConfig.WARM_UP_BUDGET);
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while starting (during the warm-up)");
            }
        }
        Node.Extensions ext = new Node.Extensions(hooks.authenticator(), hooks, meterRegistry);
        SwitchboardServer s = new SwitchboardServer(config, Engines.create(config.cluster()), ext);
        try {
            s.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new IllegalStateException("interrupted while starting", e);
        }
        hooks.bind(s.node().metrics().registry(), config.allowAnonymous());
        server = s;
        running = true;
        return this;
    }

    /** The port the node listens on (the chosen one when configured with 0). */
    public int port() {
        return running().port();
    }

    /** The WebSocket URL of the node for a client on this machine, e.g. {@code ws://127.0.0.1:8081/ws}. */
    public String webSocketUrl() {
        SwitchboardServer s = running();
        String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
        if (host.equals("0.0.0.0") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return (config.tls().enabled() ? "wss://" : "ws://") + host + ":" + s.port() + "/ws";
    }

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isRunning() {
        return running;
    }

    /** True while running and the engine can serve publishes and subscriptions (what {@code /readyz} says). */
    public boolean isReady() {
        SwitchboardServer s = server;
        return running && s != null && s.engine().isReady();
    }

    /** The engine's name: {@code memory}, or {@code redis} / {@code redis+nats} style names of the cluster engines. */
    public String engineName() {
        return running().engine().name();
    }

    /** This node's name in the cluster. */
    public String nodeName() {
        return running().nodeId();
    }

    /** Open client connections on this node. */
    public int connectionCount() {
        return running().sessionCount();
    }

    /**
     * A token for {@code userId} signed with the node's HS256 secret (the configured one, or this run's
     * random one), valid for {@code ttl}: for an application that authenticates users itself and hands
     * the browser a token for the node.
     */
    public String mintToken(String userId, Duration ttl) {
        return new TokenMinter(running().jwtSecret()).mint(userId, ttl);
    }

    // ---- operations ----------------------------------------------------------------------------

    /** Publishes {@code json} (one JSON value) to {@code channel} as the server side. */
    public CompletionStage<Published> publish(String channel, String json) {
        Objects.requireNonNull(json, "json");
        return publish(channel, json.getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * Publishes UTF-8 JSON bytes to {@code channel}; with an {@code idempotencyKey}, a repeat within the
     * idempotency window gets the first publish's position and publishes nothing.
     */
    public CompletionStage<Published> publish(String channel, byte[] json, String idempotencyKey) {
        Objects.requireNonNull(channel, "channel");
        if (!isJson(json)) {
            return CompletableFuture.failedFuture(new SwitchboardException("bad_request", "the payload is not one JSON value"));
        }
        return guard(() -> running().node().channels().publish(Caller.server(), channel, json.clone(), idempotencyKey, System.nanoTime())
                .thenApply(r -> new Published(r.offset(), r.epoch())));
    }

    /** The newest {@code limit} messages of a channel with history (at most 1000), oldest first. */
    public CompletionStage<History> history(String channel, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be at least 0");
        }
        return guard(() -> running().node().channels().history(Caller.server(), channel, new HistoryQuery(-1, limit, true), null)
                .thenApply(Switchboard::history));
    }

    /** Everyone present in a channel with presence, one entry per connection (across the cluster). */
    public CompletionStage<List<PresenceMember>> presence(String channel) {
        return guard(() -> running().node().channels().presence(Caller.server(), channel).thenApply(entries -> {
            List<PresenceMember> out = new ArrayList<>(entries.size());
            for (PresenceEntry e : entries) {
                out.add(new PresenceMember(e.clientId(), e.userId(),
                        e.info() == null ? null : new String(e.info(), StandardCharsets.UTF_8)));
            }
            return out;
        }));
    }

    /** Closes every connection of {@code userId} on every node with 4503 ({@code disconnected}: the client does not reconnect on its own). */
    public CompletionStage<Void> disconnect(String userId) {
        Objects.requireNonNull(userId, "userId");
        return guard(() -> running().node().channels().disconnectUser(userId, CloseCode.DISCONNECTED));
    }

    /**
     * Subscribes every connection of {@code userId}, on every node, to {@code channel} (a server-side
     * subscription: no access check, no subscribe hook); each client gets a {@code subscribed} push. Connections
     * the user opens later are not subscribed by this (use the token's {@code subscribe} claim for that).
     */
    public CompletionStage<Void> subscribe(String userId, String channel) {
        Objects.requireNonNull(userId, "userId");
        return guard(() -> running().node().channels().subscribeUser(userId, channel));
    }

    /** Ends {@code userId}'s subscriptions to {@code channel} on every node; the clients get {@code unsubscribed}. */
    public CompletionStage<Void> unsubscribe(String userId, String channel) {
        Objects.requireNonNull(userId, "userId");
        return guard(() -> running().node().channels().unsubscribeUser(userId, channel));
    }

    /**
     * Drains and stops: new connections are refused, open ones are closed with 1001 spread over the drain
     * window, then the port, the engine and the hook executor are closed. Blocks until done; idempotent.
     */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        running = false;
        try {
            server.shutdown();
        } finally {
            hooks.close();
            server = null;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private SwitchboardServer running() {
        SwitchboardServer s = server;
        if (s == null || !running) {
            throw new IllegalStateException("the node is not running (start() it first)");
        }
        return s;
    }

    private static <T> CompletionStage<T> guard(java.util.function.Supplier<CompletableFuture<T>> op) {
        CompletableFuture<T> f;
        try {
            f = op.get();
        } catch (ChannelException e) {
            return CompletableFuture.failedFuture(convert(e));
        }
        return f.handle((value, failure) -> {
            if (failure != null) {
                throw new CompletionException(convert(ChannelException.of(failure, "failed")));
            }
            return value;
        });
    }

    private static SwitchboardException convert(ChannelException e) {
        return new SwitchboardException(e.code().wireName(), e.getMessage());
    }

    private static History history(HistoryResult h) {
        List<Message> out = new ArrayList<>(h.publications().size());
        // Read newest first (reverse) so that the limit keeps the newest; hand them out oldest first.
        for (int i = h.publications().size() - 1; i >= 0; i--) {
            Publication p = h.publications().get(i);
            out.add(new Message(p.offset(), p.payload(), p.from(), p.timestamp()));
        }
        return new History(h.epoch(), h.offset(), List.copyOf(out));
    }

    private static boolean isJson(byte[] json) {
        return json != null && HookRunner.isJson(json);
    }
}
