package io.switchboard.server.pusher;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.switchboard.server.util.LoopTimers;
import io.switchboard.server.util.ServerFrames;
import io.switchboard.protocol.CloseCode;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.node.Connection;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.LogText;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pusher protocol connection (version 7) after its handshake: {@code pusher:connection_established},
 * the activity check ({@code pusher:ping} after {@code activity_timeout} of silence, close 4201 without an
 * answer), the bad-input rule, and closing. Channel events go to {@link PusherCommands}. Confined to the
 * connection's event loop, except the methods of {@link Connection}, which hop onto it.
 */
final class PusherConnection extends LoopTimers.Timer implements Connection {

    private static final Logger log = LoggerFactory.getLogger(PusherConnection.class);
    private static final long CLOSE_GRACE_MILLIS = 2000;

    /** Close codes of the Pusher protocol this node uses (docs/pusher.md). */
    static final int CLOSE_TOO_MANY_ERRORS = 4002;
    static final int CLOSE_UNAUTHORIZED = 4009;
    static final int CLOSE_OVER_CAPACITY = 4100;
    static final int CLOSE_RECONNECT = 4200;
    static final int CLOSE_NO_PONG = 4201;

    private final Node node;
    private final PusherApp app;
    private final Channel channel;
    private final String socketId;
    private final PusherOutbound outbound;
    private final PusherCommands commands;
    private final Runnable onEnd;
    private final long activityMillis;

    private volatile String signedInUser; // null until pusher:signin succeeded

    // Event loop only.
    private boolean open = true;
    private long lastHeard;
    private long pongDeadline; // 0 while no pusher:ping is unanswered
    private long errorWindowStart;
    private int errorsInWindow;
    // The one timer (LoopTimers): the activity check, then the close grace.
    private boolean graceArmed; // our close frame is written: the timer now closes the socket whatever the client does
    private int closeCode = 1006; // until a close frame is sent or received
    private int connectionSlot = -1; // the node's (Connection.connectionSlot)

    private final PusherTranscoder transcoder;

    PusherConnection(Node node, PusherApp app, Channel channel, PusherTranscoder transcoder, Runnable onEnd) {
        this.transcoder = transcoder;
        this.node = node;
        this.app = app;
        this.channel = channel;
        this.onEnd = onEnd;
        this.socketId = newSocketId();
        this.activityMillis = Math.max(1, node.config().heartbeatInterval().toSeconds()) * 1000;
        this.outbound = new PusherOutbound(channel, node.config().maxQueuedBytes(), this::onSlowConsumer, node.metrics());
        this.commands = new PusherCommands(this, node, app);
    }

    /** A socket id as Pusher's server SDKs check it ({@code \d+\.\d+}), random (about 60 bits), unique in the cluster. */
    static String newSocketId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return r.nextLong(1_000_000_000L, 10_000_000_000L) + "." + r.nextLong(1_000_000_000L, 10_000_000_000L);
    }

    @Override
    public String id() {
        return socketId;
    }

    /**
     * The signed-in user as the node knows it: {@code pusher.<app id>:<user id>}, so that the server API's and
     * {@code terminate_connections}' disconnect of a user reaches only that app's connections; "" before
     * {@code pusher:signin} (presence users are per channel and are not this).
     */
    @Override
    public String userId() {
        String u = signedInUser;
        return u == null ? "" : nodeUserId(app, u);
    }

    /** The node's user id for the app's signed-in user {@code user}. */
    static String nodeUserId(PusherApp app, String user) {
        return app.namespace() + ":" + user;
    }

    /** The user this connection signed in as (pusher:signin), or null. */
    String signedInUser() {
        return signedInUser;
    }

    void signedIn(String user) {
        signedInUser = user;
    }

    PusherApp app() {
        return app;
    }

    PusherTranscoder transcoder() {
        return transcoder;
    }

    PusherOutbound outbound() {
        return outbound;
    }

    Channel channel() {
        return channel;
    }

    /** Sends {@code pusher:connection_established} and starts the activity check. */
    void start() {
        outbound.writeDirectWhenIdle();
        node.connections().add(this);
        node.metrics().pusherConnectionOpened();
        send(PusherFrames.event("pusher:connection_established", null, g -> {
            g.writeStringField("socket_id", socketId);
            g.writeNumberField("activity_timeout", activityMillis / 1000);
        }));
        lastHeard = now();
        arm(lastHeard + activityMillis);
        log.atDebug().addKeyValue("session", socketId).log("pusher connection {} opened for app {}", socketId, app.id());
    }

    void send(byte[] event) {
        outbound.deliver(event);
    }

    // ---- inbound ------------------------------------------------------------------------------

    void onText(byte[] text) {
        if (!open) {
            return;
        }
        heard();
        PusherFrames.Frame f;
        try {
            f = PusherFrames.decode(text);
        } catch (PusherFrames.BadFrame e) {
            node.metrics().pusherMessageIn("", text.length);
            reject(e.getMessage());
            return;
        }
        node.metrics().pusherMessageIn(f.event(), text.length);
        switch (f.event()) {
            case "pusher:ping" -> send(PusherFrames.event("pusher:pong", null, "{}"));
            case "pusher:pong" -> pongDeadline = 0;
            case "pusher:subscribe" -> commands.subscribe(f);
            case "pusher:unsubscribe" -> commands.unsubscribe(f);
            case "pusher:signin" -> commands.signin(f);
            default -> {
                if (f.event().startsWith("client-")) {
                    commands.clientEvent(f);
                } else {
                    reject("unknown event " + clip(f.event()));
                }
            }
        }
    }

    void onBinary() {
        heard();
        reject("binary frames are not part of the Pusher protocol");
    }

    /** Any frame, a WebSocket pong included, shows the client is there. */
    void heard() {
        lastHeard = now();
        pongDeadline = 0;
    }

    /** A bad frame: {@code pusher:error} (code null); more than {@code --error-burst-limit} in the window closes with 4002. */
    void reject(String message) {
        send(PusherFrames.error(null, message));
        long now = now();
        if (now - errorWindowStart > node.config().limits().errorBurstWindow().toMillis()) {
            errorWindowStart = now;
            errorsInWindow = 0;
        }
        if (++errorsInWindow > node.config().limits().errorBurstLimit()) {
            close(CLOSE_TOO_MANY_ERRORS, "too many bad frames");
        }
    }

    // ---- Connection ---------------------------------------------------------------------------

    /** Closes with the Pusher code for {@code code}: the drain's 1001 becomes 4200 (reconnect at once). */
    @Override
    public void close(CloseCode code) {
        int pusherCode = switch (code) {
            case GOING_AWAY, SERVER_RESTART -> CLOSE_RECONNECT;
            case SLOW_CONSUMER -> CLOSE_OVER_CAPACITY;
            default -> CLOSE_UNAUTHORIZED;
        };
        onLoop(() -> close(pusherCode, code.reason()));
    }

    @Override
    public void abort() {
        channel.close();
    }

    @Override
    public void unsubscribeByServer(String internalChannel) {
        onLoop(() -> {
            if (open) {
                commands.removeByServer(internalChannel);
            }
        });
    }

    @Override
    public void renewPresence() {
        onLoop(() -> {
            if (open) {
                commands.renewPresence();
            }
        });
    }

    // ---- closing and the timer ----------------------------------------------------------------

    private void onSlowConsumer() {
        node.metrics().slowConsumer();
        log.atInfo().addKeyValue("session", socketId).log("pusher connection {} closed: slow consumer, more than {} bytes queued",
                socketId, node.config().maxQueuedBytes());
        close(CLOSE_OVER_CAPACITY, "slow consumer");
    }

    /** Sends {@code pusher:error} with the code and the close frame, then closes the socket after a grace period. */
    void close(int code, String reason) {
        if (!open) {
            return;
        }
        open = false;
        closeCode = code;
        commands.leaveAll();
        outbound.flush();
        outbound.close();
        byte[] error = PusherFrames.error(code, reason);
        channel.write(ServerFrames.copied(channel.alloc(), ServerFrames.TEXT, 0, io.netty.buffer.Unpooled.wrappedBuffer(error)));
        channel.writeAndFlush(ServerFrames.close(channel.alloc(), code, reason));
        graceArmed = true;
        arm(now() + CLOSE_GRACE_MILLIS);
    }

    /** The client sent its close frame: answer it and close. */
    void onPeerClose(int code) {
        if (open) {
            open = false;
            closeCode = code;
            commands.leaveAll();
            outbound.flush();
            outbound.close();
            channel.writeAndFlush(ServerFrames.close(channel.alloc(), 1000, "")).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** The socket is gone: release everything. */
    void onChannelClosed() {
        open = false;
        if (timerArmed()) {
            node.timers(channel.eventLoop()).disarm(this);
        }
        commands.leaveAll();
        outbound.close();
        node.connections().remove(this, closeCode);
        node.metrics().pusherConnectionClosed(closeCode);
        onEnd.run();
        log.atDebug().addKeyValue("session", socketId).log("pusher connection {} ended", socketId);
    }

    /** The activity check, or the end of the close grace. Event loop only. */
    @Override
    protected void timerFired() {
        if (!open) {
            if (graceArmed) {
                channel.close();
            }
            return;
        }
        long now = now();
        if (pongDeadline != 0 && now >= pongDeadline) {
            log.atDebug().addKeyValue("session", socketId).log("pusher connection {} closed: no pong", socketId);
            close(CLOSE_NO_PONG, "pong reply not received");
            return;
        }
        if (pongDeadline == 0 && now - lastHeard >= activityMillis) {
            send(PusherFrames.event("pusher:ping", null, "{}"));
            pongDeadline = now + node.config().heartbeatTimeout().toMillis();
        }
        long due = pongDeadline != 0 ? pongDeadline : lastHeard + activityMillis;
        arm(Math.max(now + 10, due));
    }

    private void arm(long at) {
        node.timers(channel.eventLoop()).arm(this, at);
    }

    /** Milliseconds by the node's clock, which the activity check and the close grace are timed by. */
    private long now() {
        return node.clock().millis();
    }

    void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    boolean isOpen() {
        return open;
    }

    static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    @Override
    public int connectionSlot() {
        return connectionSlot;
    }

    @Override
    public void connectionSlot(int slot) {
        connectionSlot = slot;
    }

    @Override
    public String toString() {
        return "PusherConnection[" + socketId + ", app=" + LogText.escape(app.id()) + "]";
    }
}
