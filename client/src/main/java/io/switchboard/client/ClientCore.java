package io.switchboard.client;

import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.DecodeException;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The connection state machine behind {@link SwitchboardClient}: opening sockets, the {@code welcome},
 * the reconnect rule with backoff, and routing of incoming envelopes to {@link PendingCommands} and
 * {@link Subscriptions}; the {@link Watchdog} finds dead connections and the {@link TokenRefresher}
 * renews tokens. Every mutable field is confined to the
 * client's loop (a {@link SerialExecutor}) unless marked volatile; sockets report through the loop, and
 * each socket's reports carry the generation they belong to, so a late report of an old socket is dropped.
 */
final class ClientCore {

    private static final int SERVER_PING_TIMEOUT_CODE = CloseCode.HEARTBEAT_TIMEOUT.code();
    private static final int ABNORMAL = 1006;

    final ClientOptions options;
    final SerialExecutor loop;
    final Callbacks callbacks;
    final Scheduler clock;
    final PendingCommands commands;
    final Subscriptions subscriptions;
    final CopyOnWriteArrayList<ConnectionListener> listeners;
    private final io.switchboard.protocol.WireFormat format; // the client's protocol: how frames are read and written

    // Readable from any thread; written on the loop.
    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile Welcome welcome;
    private volatile boolean closedByUser;

    private int attempt; // connection attempts since the last stable connection; sets the backoff
    private long generation; // bumped by every new attempt and every loss: identifies the live socket
    private Outbox outbox; // the open socket, or null
    private long welcomeAt = -1; // clock time of the current connection's welcome, -1 when none
    private final Watchdog watchdog;
    private Scheduler.Cancellable retryTimer;
    private final TokenRefresher refresher;
    private SwitchboardException lastError; // the last connection-level error: it explains the close that follows
    private final List<CompletableFuture<Welcome>> connectWaiters = new ArrayList<>();

    ClientCore(ClientOptions options) {
        this.options = options;
        this.loop = new SerialExecutor(options.loopExecutor());
        this.callbacks = new Callbacks(options.callbackExecutor());
        this.clock = options.scheduler();
        this.format = options.protocol().format();
        this.pong = format.encode(Envelope.builder(MessageType.PONG).build());
        this.commands = new PendingCommands(clock, loop, options.commandTimeout().toNanos(), options.maxQueuedCommands());
        this.commands.format(format);
        this.subscriptions = new Subscriptions(loop, callbacks, commands, clock, options.backoff(), options.random(),
                options.serverSubscriptions());
        this.listeners = new CopyOnWriteArrayList<>(options.listeners());
        this.watchdog = new Watchdog(clock, loop, this::silent);
        this.refresher = new TokenRefresher(options.tokenSupplier(), callbacks.executor(), loop, clock, commands,
                e -> emit(l -> l.onError(e)));
    }

    ConnectionState state() {
        return state;
    }

    Welcome welcome() {
        return welcome;
    }

    boolean closedByUser() {
        return closedByUser;
    }

    // ---- from the public API (any thread) --------------------------------------------------------

    CompletableFuture<Welcome> connect() {
        CompletableFuture<Welcome> f = new CompletableFuture<>();
        if (closedByUser) {
            f.completeExceptionally(new IllegalStateException("this client was closed; build a new one"));
            return f;
        }
        loop.execute(() -> {
            if (state == ConnectionState.CONNECTED) {
                callbacks.complete(f, welcome);
                return;
            }
            if (closedByUser) {
                callbacks.fail(f, new SwitchboardException(SwitchboardException.CLOSED, "the client was closed", false));
                return;
            }
            connectWaiters.add(f);
            if (state == ConnectionState.IDLE || state == ConnectionState.CLOSED) {
                attempt = 0;
                open();
            }
        });
        return f;
    }

    /** Issues a command for a caller; {@code onAck} turns the reply into the future's value (on the loop). */
    <T> CompletableFuture<T> command(MessageType type, Envelope.Builder b, ReplyMapper<T> onAck) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            if (state == ConnectionState.CLOSED) {
                callbacks.fail(f, new SwitchboardException(SwitchboardException.CLOSED, closedByUser
                        ? "the client was closed" : "the client stopped; call connect() again", false));
                return;
            }
            commands.issue(type, b, (reply, error, sentAt) -> {
                if (error != null) {
                    callbacks.fail(f, error);
                    return;
                }
                T value;
                try {
                    value = onAck.map(reply, clock.nanoTime() - sentAt);
                } catch (RuntimeException unreadable) {
                    callbacks.fail(f, new SwitchboardException("internal",
                            "could not read the reply to " + type.wireName() + ": " + unreadable.getMessage(), false, unreadable));
                    return;
                }
                callbacks.complete(f, value);
            });
        });
        return f;
    }

    interface ReplyMapper<T> {
        T map(Envelope reply, long rttNanos);
    }

    /** The user's close: stop for good, fail everything pending, end every subscription. */
    void close() {
        closedByUser = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            boolean wasClosed = state == ConnectionState.CLOSED;
            generation++;
            cancelTimers();
            if (outbox != null) {
                Transport.Connection c = outbox.connection();
                outbox.close();
                outbox = null;
                c.close(CloseCode.NORMAL.code(), "client closed");
                clock.schedule(c::abort, TimeUnit.SECONDS.toNanos(2)); // if the server never answers the close
            }
            welcome = null;
            welcomeAt = -1;
            state = ConnectionState.CLOSED;
            SwitchboardException closed = new SwitchboardException(SwitchboardException.CLOSED, "the client was closed", false);
            commands.failAll(closed);
            subscriptions.closeAll();
            failWaiters(closed);
            if (!wasClosed) {
                Disconnect d = new Disconnect(CloseCode.NORMAL.code(), "closed by the client", false, null, null);
                emit(l -> l.onClosed(d));
            }
            done.complete(null);
        });
        if (!loop.inLoop()) {
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception slow) {
                // the loop is busy; the close still happens, just later
            }
        }
    }

    // ---- opening a connection (loop) --------------------------------------------------------------

    private void open() {
        cancelTimers();
        long gen = ++generation;
        setState(ConnectionState.CONNECTING);
        int a = attempt;
        emit(l -> l.onConnecting(a));
        if (options.tokenSupplier() == null) {
            dial(gen, options.token());
            return;
        }
        // Ask before every attempt: the last token may have expired (close 4004). The supplier may block.
        CompletableFuture.supplyAsync(options.tokenSupplier(), callbacks.executor()).whenComplete((token, failure) -> loop.execute(() -> {
            if (gen != generation) {
                return;
            }
            if (failure != null || token == null || token.isEmpty()) {
                Throwable cause = failure instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : failure;
                SwitchboardException e = new SwitchboardException(SwitchboardException.TOKEN_UNAVAILABLE,
                        "the token supplier " + (cause == null ? "returned no token" : "failed: " + cause), true, cause);
                emit(l -> l.onError(e));
                lost(ABNORMAL, e.getMessage(), e, true);
                return;
            }
            dial(gen, token);
        }));
    }

    private void dial(long gen, String token) {
        watchdog.start(options.connectTimeout().toNanos());
        SocketListener listener = new SocketListener(gen);
        CompletableFuture<Void> opening;
        try {
            opening = options.transport().open(options.uri(), token, options.connectTimeout(), format.subprotocol(), listener);
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((ok, failure) -> {
            if (failure != null) {
                loop.execute(() -> openFailed(gen, failure));
            }
        });
    }

    private void openFailed(long gen, Throwable failure) {
        if (gen != generation || outbox != null) {
            return;
        }
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            SwitchboardException e = new SwitchboardException(SwitchboardException.HANDSHAKE_FAILED,
                    "the server refused the WebSocket upgrade with HTTP " + status, status >= 500 || status == 408 || status == 429, t);
            // A 4xx answer (wrong path, not a Switchboard endpoint) will not change by retrying.
            if (!e.retryable()) {
                stop(ABNORMAL, e.getMessage(), e);
                return;
            }
            lost(ABNORMAL, e.getMessage(), e, true);
            return;
        }
        lost(ABNORMAL, "could not connect: " + t, null, false);
    }

    /** Reports of one socket, moved onto the loop and dropped once the socket is no longer the live one. */
    private final class SocketListener implements Transport.Listener {
        private final long gen;

        SocketListener(long gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(Transport.Connection connection) {
            loop.execute(() -> {
                if (gen != generation || state != ConnectionState.CONNECTING) {
                    connection.abort(); // given up on (watchdog, close()) while it was opening
                    return;
                }
                outbox = new Outbox(connection, format, loop, Integer.MAX_VALUE);
            });
        }

        @Override
        public void onText(String text) {
            onFrame(text.getBytes(StandardCharsets.UTF_8), true);
        }

        @Override
        public void onBinary(byte[] bytes) {
            onFrame(bytes, false);
        }

        private void onFrame(byte[] frame, boolean text) {
            // Decoding here keeps the loop free for state changes; order is kept by the loop's queue.
            IncomingFrame read = IncomingFrame.read(format, frame, text);
            List<Decoded> envelopes = read.decoded();
            DecodeException problem = read.problem();
            loop.execute(() -> {
                if (gen != generation) {
                    return;
                }
                watchdog.frame();
                if (problem != null) {
                    SwitchboardException e = new SwitchboardException("bad_request", "the server sent an unreadable frame: "
                            + problem.getMessage(), false, problem);
                    emit(l -> l.onError(e));
                }
                for (Decoded d : envelopes) {
                    if (gen != generation) {
                        return; // an envelope earlier in the batch ended the connection
                    }
                    if (d instanceof Envelope e) {
                        onEnvelope(e);
                    }
                    // Rejected elements (e.g. a type from a newer server) are ignored, as the protocol asks.
                }
            });
        }

        @Override
        public void onClose(int code, String reason) {
            loop.execute(() -> {
                if (gen == generation) {
                    lost(code, reason, null, false);
                }
            });
        }

        @Override
        public void onError(Throwable error) {
            loop.execute(() -> {
                if (gen == generation) {
                    lost(ABNORMAL, "connection dropped: " + error, null, false);
                }
            });
        }
    }

    // ---- incoming envelopes (loop) ----------------------------------------------------------------

    private void onEnvelope(Envelope e) {
        switch (e.type()) {
            case WELCOME -> onWelcome(e);
            case PING -> {
                if (e.id() == null && outbox != null) {
                    outbox.send(pong);
                }
            }
            case ACK, PONG -> commands.onReply(e);
            case ERROR -> {
                if (e.id() != null) {
                    commands.onReply(e);
                } else {
                    SwitchboardException err = PendingCommands.fromServer(e);
                    lastError = err;
                    emit(l -> l.onError(err));
                }
            }
            case MESSAGE -> subscriptions.onMessage(e);
            case PRESENCE_UPDATE -> subscriptions.onPresence(e);
            case PRESENCE_DIFF, PRESENCE_COUNT -> subscriptions.onPresenceWindow(e);
            case UNSUBSCRIBED -> subscriptions.onUnsubscribed(e);
            case SUBSCRIBED -> subscriptions.onServerSubscribed(e);
            default -> {
                // a type only clients send: a confused server; nothing to do
            }
        }
    }

    // The answer to a server ping, encoded once in the client's format.
    private final byte[] pong;

    private void onWelcome(Envelope e) {
        if (state != ConnectionState.CONNECTING || outbox == null) {
            return;
        }
        Welcome w;
        try {
            w = Welcome.parse(e.payload());
        } catch (IllegalArgumentException bad) {
            w = Welcome.parse(null);
        }
        welcome = w;
        welcomeAt = clock.nanoTime();
        outbox.maxFrameBytes(w.maxFrameBytes());
        // From now on the server pings every interval: silence beyond interval + timeout means a dead path.
        watchdog.start(w.heartbeatInterval().plus(w.heartbeatTimeout()).toNanos());
        lastError = null;
        setState(ConnectionState.CONNECTED);
        commands.connected(outbox, w.maxFrameBytes());
        subscriptions.onConnected();
        commands.flushQueued();
        refresher.start(w.expiresAt());
        Welcome connected = w;
        emit(l -> l.onConnected(connected));
        List<CompletableFuture<Welcome>> waiters = List.copyOf(connectWaiters);
        connectWaiters.clear();
        waiters.forEach(f -> callbacks.complete(f, connected));
    }

    // ---- the watchdog (loop) ------------------------------------------------------------------------

    /** Nothing arrived for too long: a dead path may never deliver a close, so do not wait for one. */
    private void silent() {
        long ms = TimeUnit.NANOSECONDS.toMillis(watchdog.limitNanos());
        if (outbox != null) {
            outbox.connection().abort();
        }
        lost(SERVER_PING_TIMEOUT_CODE, welcome == null ? "no welcome from the server within " + ms + " ms"
                : "no frame from the server for " + ms + " ms (heartbeat interval + timeout)", null, false);
    }

    // ---- losing a connection (loop) -----------------------------------------------------------------

    /** The live socket (or attempt) is gone: reconnect with backoff, or stop if the close code says so. */
    private void lost(int code, String reason, SwitchboardException error, boolean forceRetry) {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        generation++;
        if (outbox != null) {
            outbox.close();
            outbox = null;
        }
        cancelTimers();
        // Only a connection that stayed up resets the backoff: a server that accepts and then drops
        // every connection must not be hammered at the shortest delay.
        if (welcomeAt >= 0 && clock.nanoTime() - welcomeAt >= options.stableAfter().toNanos()) {
            attempt = 0;
        }
        welcome = null;
        welcomeAt = -1;
        commands.disconnected(code);
        subscriptions.onDisconnected();
        SwitchboardException why = error != null ? error : lastError;
        lastError = null;
        String text = reason != null && !reason.isEmpty() ? reason : why != null ? why.getMessage() : "";
        boolean retry = forceRetry || CloseCode.shouldReconnect(code);
        if (code == CloseCode.TOKEN_EXPIRED.code() && options.tokenSupplier() == null) {
            retry = false; // the same expired token would only be refused again
            text = "the token expired and the client has no token supplier to get a new one";
        }
        if (!retry) {
            stop(code, text, why);
            return;
        }
        long delay = options.backoff().delayMillis(attempt, options.random());
        attempt++;
        setState(ConnectionState.DISCONNECTED);
        Disconnect d = new Disconnect(code, text, true, Duration.ofMillis(delay), why);
        emit(l -> l.onDisconnected(d));
        long gen = generation;
        retryTimer = clock.schedule(() -> loop.execute(() -> {
            if (gen == generation && state == ConnectionState.DISCONNECTED) {
                retryTimer = null;
                open();
            }
        }), TimeUnit.MILLISECONDS.toNanos(delay));
    }

    /** Stops for good after a close that must not be retried; a later connect() may start again. */
    private void stop(int code, String reason, SwitchboardException why) {
        generation++;
        cancelTimers();
        if (outbox != null) {
            outbox.close();
            outbox = null;
        }
        welcome = null;
        welcomeAt = -1;
        setState(ConnectionState.CLOSED);
        subscriptions.onDisconnected(); // kept for a later connect(), which subscribes them again
        String detail = "the connection ended for good (" + code + (reason.isEmpty() ? "" : ": " + reason) + ")";
        commands.failAll(new SwitchboardException(SwitchboardException.CLOSED, detail, false));
        Disconnect d = new Disconnect(code, reason, false, null, why);
        emit(l -> l.onDisconnected(d));
        emit(l -> l.onClosed(d));
        failWaiters(why != null ? why : new SwitchboardException(SwitchboardException.CLOSED, detail, false));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void setState(ConnectionState s) {
        state = s;
    }

    private void emit(Consumer<ConnectionListener> call) {
        for (ConnectionListener l : listeners) {
            callbacks.event(() -> call.accept(l));
        }
    }

    private void failWaiters(SwitchboardException e) {
        List<CompletableFuture<Welcome>> waiters = List.copyOf(connectWaiters);
        connectWaiters.clear();
        waiters.forEach(f -> callbacks.fail(f, e));
    }

    private void cancelTimers() {
        watchdog.stop();
        refresher.stop();
        cancel(retryTimer);
        retryTimer = null;
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
