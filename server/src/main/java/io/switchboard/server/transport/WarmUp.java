package io.switchboard.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.config.LimitsConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.util.LogText;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up a node runs before it starts ({@code serve --warm-up-sessions}, the embedded builder's
 * {@code warmUpSessions}): a throwaway node on
 * a free loopback port, with the node's transport, I/O threads, frame and queue sizes and per-connection limits
 * (none per user or address: its clients all come from one), but the memory engine and none of the
 * application's hooks, webhooks or consumers, gets that many WebSocket sessions from clients in
 * this process. Each session authenticates with an HS256 token, subscribes to one of a few channels,
 * publishes, waits for its own publication's ack and for a message on its channel, and closes. Nothing of
 * it reaches Redis, NATS, the backend or the metrics of the real node, and the throwaway node is closed
 * before the real one binds its port. A node with Pusher apps gets every other session through its Pusher door
 * instead ({@link WarmUpPusher}). What it leaves is compiled code: a node's first connection storm
 * otherwise runs while the JIT compiles the upgrade, the token check and the session (docs/benchmarks.md,
 * "Cold start"). It never stops the node from starting: a failure is reported and the start goes on.
 */
public final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    /** Sessions in flight at once. */
    static final int IN_FLIGHT = 64;
    /** Channels the sessions share, so that every publication fans out to several subscribers. */
    static final int CHANNELS = 16;

    /**
     * What a warm-up did: the sessions it started, those that went through every step, its time, why it
     * stopped early (null: it did not), the throwaway node's port (-1: it did not start), and how many of the
     * completed sessions went through the Pusher door.
     */
    public record Result(int started, int completed, long millis, String problem, int port, int pusherCompleted) {
    }

    private WarmUp() {
    }

    /**
     * Runs {@code real.warmUpSessions()} sessions ({@link #run}) with the throwaway node's own log lines held back
     * (its "listening on" would name a port that is about to close: the {@code io.switchboard} logger is raised
     * to WARN meanwhile, if it was below, and put back; with Logback only), and says in one line what it did: "warmed up", or a
     * WARN with why it stopped early. Never throws but for a VM error: the node starts anyway.
     */
    public static Result runLogged(ServerConfig real, Duration budget) {
        log.info("warming up: {} sessions on a throwaway loopback node before the node starts", real.warmUpSessions());
        Runnable putBack = holdBackInfo();
        Result r;
        try {
            r = run(real, real.warmUpSessions(), budget);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // the warm-up never stops the node from starting
            r = new Result(0, 0, 0, String.valueOf(e), -1, 0);
        } finally {
            putBack.run();
        }
        if (r.problem() == null) {
            log.info("warmed up: {} sessions in {} ms{}", r.completed(), r.millis(),
                    r.pusherCompleted() > 0 ? " (" + r.pusherCompleted() + " of them on the Pusher door)" : "");
        } else {
            log.warn("the warm-up stopped after {} of {} sessions ({} ms): {}; starting anyway", r.completed(),
                    real.warmUpSessions(), r.millis(), r.problem());
        }
        return r;
    }

    /** Runs {@code sessions} sessions against a throwaway node built from {@code real}; gives up after {@code budget}. */
    public static Result run(ServerConfig real, int sessions, Duration budget) {
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String hexSecret = HexFormat.of().formatHex(secret);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger pusherCompleted = new AtomicInteger();
        AtomicReference<String> problem = new AtomicReference<>();
        // A node with Pusher apps warms its Pusher door too: every other session speaks the Pusher protocol.
        boolean pusher = !real.pusherApps().isEmpty();
        SwitchboardServer node = null;
        EventLoopGroup clients = null;
        int port = -1;
        try {
            ServerConfig cfg = new ServerConfig().port(0).transport(real.transport()).ioThreads(real.ioThreads())
                    .maxFrameBytes(real.maxFrameBytes()).maxQueuedBytes(real.maxQueuedBytes())
                    .jwtSecret(hexSecret).warmUpSessions(0).limits(unlimitedFromOneAddress(real.limits()));
            if (pusher) {
                cfg = cfg.pusherApps(java.util.List.of(WarmUpPusher.app(hexSecret)));
            }
            node = new SwitchboardServer(cfg); // assigned before start(): a start that fails half-way is closed too
            node.start();
            Transport transport = Transport.of(real.transport());
            clients = transport.newGroup(1, "switchboard-warm-up");
            TokenMinter minter = new TokenMinter(hexSecret.getBytes(StandardCharsets.UTF_8));
            Semaphore slots = new Semaphore(IN_FLIGHT);
            Bootstrap base = new Bootstrap().group(clients).channel(transport.socketChannel());
            port = node.port();
            for (int i = 0; i < sessions && problem.get() == null; i++) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    problem.compareAndSet(null, "it took longer than " + budget.toMillis() + " ms");
                    break;
                }
                started.incrementAndGet();
                String channel = "warm-up-" + (i % CHANNELS);
                Session c;
                URI uri;
                if (pusher && i % 2 == 1) {
                    c = new WarmUpPusher.PusherSession(i, channel, slots, pusherCompleted, completed, problem, base, port, hexSecret);
                    uri = WarmUpPusher.uri(port);
                } else {
                    c = new NativeSession(channel, slots, completed, problem);
                    uri = URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + minter.mint("warm-up-" + i, Duration.ofMinutes(5)));
                }
                base.clone().handler(c.initializer(uri)).connect(new InetSocketAddress("127.0.0.1", port)).addListener(f -> {
                    if (!f.isSuccess()) {
                        problem.compareAndSet(null, "a session could not connect: " + f.cause());
                        slots.release();
                    }
                });
            }
            if (!slots.tryAcquire(IN_FLIGHT, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                problem.compareAndSet(null, "it took longer than " + budget.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem.compareAndSet(null, "interrupted");
        } catch (RuntimeException e) {
            problem.compareAndSet(null, String.valueOf(e));
        } finally {
            if (clients != null) {
                clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (node != null) {
                node.close();
            }
        }
        return new Result(started.get(), completed.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), problem.get(), port,
                pusherCompleted.get());
    }

    /** The node's limits, except those on one address: every warm-up session comes from 127.0.0.1. */
    static LimitsConfig unlimitedFromOneAddress(LimitsConfig l) {
        return new LimitsConfig(l.maxChannelsPerConnection(), l.errorBurstLimit(), l.errorBurstWindow(), l.commandsPerSecond(),
                l.commandBurst(), 0, 0, 0, l.newConnectionsBurstPerIp());
    }

    /**
     * Holds back {@code io.switchboard}'s INFO lines while the throwaway node runs: raises the level to WARN if it
     * is below, and returns what puts it back. Only with Logback (the server's own binding): an application
     * embedding the node may log through another SLF4J binding, and then nothing is changed. Never throws.
     */
    private static Runnable holdBackInfo() {
        try {
            org.slf4j.ILoggerFactory factory = LoggerFactory.getILoggerFactory();
            return factory.getClass().getName().equals(Logback.CONTEXT) ? Logback.raiseToWarn(factory) : () -> { };
        } catch (LinkageError | RuntimeException e) {
            return () -> { };
        }
    }

    /** The Logback half of {@link #holdBackInfo}: a class of its own, so Logback's are loaded only when it is the binding. */
    private static final class Logback {
        static final String CONTEXT = "ch.qos.logback.classic.LoggerContext";

        static Runnable raiseToWarn(org.slf4j.ILoggerFactory factory) {
            ch.qos.logback.classic.Logger ours = ((ch.qos.logback.classic.LoggerContext) factory).getLogger("io.switchboard");
            ch.qos.logback.classic.Level before = ours.getLevel();
            if (ours.getEffectiveLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)) {
                return () -> { };
            }
            ours.setLevel(ch.qos.logback.classic.Level.WARN);
            return () -> ours.setLevel(before);
        }
    }

    /**
     * One warm-up session, from the upgrade to its close: what each protocol's session shares. It counts as
     * completed once {@link #done} is called, closes with 1000, and gives its slot back when its socket closes.
     */
    abstract static class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        final String channel;
        private final Semaphore slots;
        private final AtomicInteger completed;
        final AtomicReference<String> problem;
        private boolean closing;

        Session(String channel, Semaphore slots, AtomicInteger completed, AtomicReference<String> problem) {
            this.channel = channel;
            this.slots = slots;
            this.completed = completed;
            this.problem = problem;
        }

        /** The WebSocket subprotocol asked for, or null. */
        abstract String subprotocol();

        /** The upgrade is through. */
        abstract void opened(ChannelHandlerContext ctx);

        ChannelInitializer<SocketChannel> initializer(URI uri) {
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri).subprotocol(subprotocol()).version(WebSocketVersion.V13)
                    .customHeaders(new DefaultHttpHeaders()).handshakeTimeoutMillis(10_000).build();
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                            new WebSocketClientProtocolHandler(config), Session.this);
                }
            };
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                opened(ctx);
            }
            super.userEventTriggered(ctx, evt);
        }

        /** The session went through every step: counted, then closed; true the first time only. Event loop only. */
        boolean done(ChannelHandlerContext ctx) {
            if (closing) {
                return false;
            }
            closing = true;
            completed.incrementAndGet();
            ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""));
            return true;
        }

        /** Stops the warm-up: the node answered in a way a healthy node does not. */
        void failed(ChannelHandlerContext ctx, String why) {
            problem.compareAndSet(null, why);
            ctx.close();
        }

        static void send(ChannelHandlerContext ctx, String text) {
            ctx.writeAndFlush(new TextWebSocketFrame(text));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!closing) {
                problem.compareAndSet(null, "a session closed before it was through");
            }
            slots.release();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(ctx, "a session failed: " + cause);
        }
    }

    /** A session of the native protocol: HS256 token, subscribe, publish, the ack and a message of the channel. */
    private static final class NativeSession extends Session {
        private boolean acked;
        private boolean received;

        NativeSession(String channel, Semaphore slots, AtomicInteger completed, AtomicReference<String> problem) {
            super(channel, slots, completed, problem);
        }

        @Override
        String subprotocol() {
            return "switchboard.v1.json";
        }

        @Override
        void opened(ChannelHandlerContext ctx) {
            send(ctx, "{\"v\":1,\"type\":\"subscribe\",\"id\":\"s\",\"channel\":\"" + channel + "\"}");
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            String text = frame.text();
            if (text.contains("\"type\":\"error\"")) {
                failed(ctx, "the node answered a session with an error: " + LogText.escape(text));
                return;
            }
            if (text.contains("\"id\":\"s\"")) {
                send(ctx, "{\"v\":1,\"type\":\"publish\",\"id\":\"p\",\"channel\":\"" + channel + "\",\"payload\":{\"warm\":true}}");
            }
            acked |= text.contains("\"id\":\"p\"");
            received |= text.contains("\"type\":\"message\"");
            if (acked && received) {
                done(ctx);
            }
        }
    }
}
