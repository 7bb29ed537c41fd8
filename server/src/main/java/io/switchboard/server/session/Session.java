package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Commands;
import io.switchboard.protocol.DecodeException;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.EnvelopeEncoder;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.Rejected;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after its handshake: a small state machine that answers every command
 * exactly once, keeps the heartbeat, and cleans up after itself. Confined to the connection's event
 * loop, except {@link #outbound}, which any thread may feed. All timing (pings, the pong deadline, token
 * expiry, the close deadline) runs on a single timer per connection, rescheduled to the nearest due time.
 */
public final class Session {

    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final long CLOSE_GRACE_MILLIS = 2000;

    enum State { OPEN, CLOSING, CLOSED }

    private final NodeContext node;
    private final ServerConfig config;
    private final Channel channel;
    private final String id;
    private final Outbound outbound;

    // Everything below: event loop only.
    private Principal principal;
    private State state = State.OPEN;
    private final Set<String> channels = new HashSet<>();
    private long nextPingAt;
    private long pongDeadline; // 0 while no ping is unanswered
    private long closeDeadline; // 0 until a close frame is sent
    private ScheduledFuture<?> timer;
    private long timerDueAt;
    private long errorWindowStart;
    private int errorsInWindow;

    Session(NodeContext node, Channel channel, Principal principal) {
        this.node = node;
        this.config = node.config();
        this.channel = channel;
        this.principal = principal;
        this.id = node.newSessionId();
        int batchBytes = config.maxFrameBytes();
        this.outbound = new Outbound(channel, config.maxQueuedBytes(), batchBytes, this::onSlowConsumer);
    }

    public String id() {
        return id;
    }

    public String userId() {
        return principal.userId();
    }

    Outbound outbound() {
        return outbound;
    }

    /** Sends the welcome and starts the heartbeat. */
    void start() {
        node.sessions().add(this);
        long interval = config.heartbeatInterval().toMillis();
        long timeout = config.heartbeatTimeout().toMillis();
        byte[] welcome = Json.object(g -> {
            g.writeStringField("sessionId", id);
            g.writeStringField("userId", principal.userId());
            g.writeStringField("server", "switchboard/" + node.serverVersion());
            g.writeNumberField("protocol", Envelope.VERSION);
            g.writeObjectFieldStart("heartbeat");
            g.writeNumberField("intervalMs", interval);
            g.writeNumberField("timeoutMs", timeout);
            g.writeEndObject();
            g.writeObjectFieldStart("limits");
            g.writeNumberField("maxFrameBytes", config.maxFrameBytes());
            g.writeNumberField("maxChannels", config.maxChannelsPerConnection());
            g.writeNumberField("maxQueuedBytes", config.maxQueuedBytes());
            g.writeEndObject();
            if (principal.expires()) {
                g.writeNumberField("expiresAt", principal.expiresAtMillis());
            }
        });
        send(Envelope.builder(MessageType.WELCOME).payload(welcome).build());
        nextPingAt = System.currentTimeMillis() + interval;
        reschedule();
        log.debug("session {} opened for user '{}' from {}", id, principal.userId(), channel.remoteAddress());
    }

    // ---- inbound ------------------------------------------------------------------------------

    void onText(byte[] frame) {
        if (state != State.OPEN) {
            return;
        }
        List<Decoded> decoded;
        try {
            decoded = node.decoder().decode(frame);
        } catch (DecodeException e) {
            reject(null, e.code(), e.getMessage());
            return;
        }
        for (Decoded d : decoded) {
            if (state != State.OPEN) {
                return;
            }
            if (d instanceof Rejected r) {
                reject(r.id(), r.code(), r.message());
                continue;
            }
            Envelope e = (Envelope) d;
            Rejected r = Commands.check(e);
            if (r != null) {
                reject(r.id(), r.code(), r.message());
            } else {
                handle(e);
            }
        }
    }

    void onBinary() {
        if (state == State.OPEN) {
            reject(null, ErrorCode.BAD_REQUEST, "binary frames are not accepted: send JSON in text frames");
        }
    }

    /** The peer sent its close frame: either its own close, or the answer to ours. */
    void onPeerClose(int code) {
        if (state == State.OPEN) {
            state = State.CLOSING;
            log.debug("session {} closed by the client with {}", id, code);
            channel.writeAndFlush(new CloseWebSocketFrame(CloseCode.NORMAL.code(), ""))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** The channel is gone (either side closed it): release everything this session holds. */
    void onChannelClosed() {
        state = State.CLOSED;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        leaveAllChannels();
        outbound.close();
        node.sessions().remove(this);
        log.debug("session {} ended", id);
    }

    private void handle(Envelope e) {
        switch (e.type()) {
            case PONG -> pongDeadline = 0;
            case PING -> send(Envelope.builder(MessageType.PONG).id(e.id()).build());
            case SUBSCRIBE -> subscribe(e);
            case UNSUBSCRIBE -> unsubscribe(e);
            case PUBLISH -> publish(e);
            case PRESENCE, HISTORY -> error(e.id(), ErrorCode.NOT_AVAILABLE,
                    e.type().wireName() + " is not enabled for channel " + e.channel());
            case REFRESH -> refresh(e);
            default -> reject(e.id(), ErrorCode.UNKNOWN_TYPE, "unexpected type " + e.type().wireName());
        }
    }

    private void subscribe(Envelope e) {
        String ch = e.channel();
        if (channels.contains(ch)) {
            error(e.id(), ErrorCode.ALREADY_SUBSCRIBED, "already subscribed to " + ch);
            return;
        }
        if (channels.size() >= config.maxChannelsPerConnection()) {
            error(e.id(), ErrorCode.LIMIT_EXCEEDED,
                    "at most " + config.maxChannelsPerConnection() + " channels per connection");
            return;
        }
        channels.add(ch);
        node.hub().subscribe(ch, outbound).whenComplete((ok, failure) -> onLoop(() -> {
            if (failure == null) {
                send(Envelope.ack(e.id(), null));
            } else if (channels.remove(ch)) {
                node.hub().unsubscribe(ch, outbound);
                error(e.id(), ErrorCode.UNAVAILABLE, "the engine could not subscribe: " + failure.getMessage());
            }
        }));
    }

    private void unsubscribe(Envelope e) {
        String ch = e.channel();
        if (!channels.remove(ch)) {
            error(e.id(), ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + ch);
            return;
        }
        node.hub().unsubscribe(ch, outbound);
        send(Envelope.ack(e.id(), null));
    }

    private void publish(Envelope e) {
        String from = principal.anonymous() ? null : principal.userId();
        node.hub().publish(new PublishRequest(e.channel(), e.payload(), from, e.idempotencyKey()))
                .whenComplete((result, failure) -> onLoop(() -> {
                    if (failure != null) {
                        error(e.id(), ErrorCode.UNAVAILABLE, "publish failed: " + failure.getMessage());
                    } else if (result.hasPosition()) {
                        send(Envelope.ack(e.id(), Json.object(g -> {
                            g.writeNumberField("offset", result.offset());
                            g.writeStringField("epoch", result.epoch());
                        })));
                    } else {
                        send(Envelope.ack(e.id(), null));
                    }
                }));
    }

    private void refresh(Envelope e) {
        Principal next;
        try {
            next = node.authenticator().authenticate(e.token());
        } catch (AuthException ex) {
            error(e.id(), ex.errorCode(), ex.getMessage());
            return;
        }
        if (next.anonymous() || !next.userId().equals(principal.userId())) {
            error(e.id(), ErrorCode.FORBIDDEN, "the new token is for another user");
            return;
        }
        principal = next;
        send(Envelope.ack(e.id(), Json.object(g -> {
            if (next.expires()) {
                g.writeNumberField("expiresAt", next.expiresAtMillis());
            }
        })));
        reschedule();
    }

    // ---- errors and the burst rule --------------------------------------------------------------

    /** An error caused by malformed input: counted against the burst limit. */
    private void reject(CommandId id, ErrorCode code, String message) {
        error(id, code, message);
        long now = System.currentTimeMillis();
        if (now - errorWindowStart > config.errorBurstWindow().toMillis()) {
            errorWindowStart = now;
            errorsInWindow = 0;
        }
        if (++errorsInWindow > config.errorBurstLimit()) {
            log.info("session {} closed: more than {} bad commands in {}", id(), config.errorBurstLimit(), config.errorBurstWindow());
            close(CloseCode.TOO_MANY_ERRORS, "too many bad commands");
        }
    }

    private void error(CommandId id, ErrorCode code, String message) {
        send(Envelope.error(id, code, message));
    }

    // ---- outbound -----------------------------------------------------------------------------

    void send(Envelope e) {
        ByteBuf buf = channel.alloc().buffer(128);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            EnvelopeEncoder.write(e, out);
        } catch (IOException ex) {
            buf.release();
            throw new UncheckedIOException(ex);
        }
        outbound.deliver(buf);
    }

    private void onSlowConsumer() {
        log.info("session {} closed: slow consumer, more than {} bytes queued", id, config.maxQueuedBytes());
        close(CloseCode.SLOW_CONSUMER, "slow consumer");
    }

    /**
     * Starts the closing handshake: flushes what is queued (unless the connection overflowed), sends the
     * close frame, and gives the client a grace period to answer before the socket is closed.
     */
    public void close(CloseCode code, String reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(code, reason));
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        leaveAllChannels(); // a closing session takes no more messages
        if (code == CloseCode.SLOW_CONSUMER) {
            outbound.close();
        } else {
            outbound.flush();
            outbound.close();
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), reason));
        closeDeadline = System.currentTimeMillis() + CLOSE_GRACE_MILLIS;
        reschedule();
    }

    /** Sends a connection-level error (no id) and then closes. */
    public void closeWithError(ErrorCode error, String message, CloseCode code) {
        onLoop(() -> {
            if (state == State.OPEN) {
                send(Envelope.error(null, error, message));
                close(code, code.reason());
            }
        });
    }

    private void leaveAllChannels() {
        for (String ch : channels) {
            node.hub().unsubscribe(ch, outbound);
        }
        channels.clear();
    }

    // ---- the one timer ------------------------------------------------------------------------

    private void onTimer() {
        timer = null;
        long now = System.currentTimeMillis();
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CLOSING) {
            if (now >= closeDeadline) {
                channel.close();
                return;
            }
        } else if (pongDeadline != 0 && now >= pongDeadline) {
            log.info("session {} closed: no pong within {}", id, config.heartbeatTimeout());
            close(CloseCode.HEARTBEAT_TIMEOUT, "no pong in time");
            return;
        } else if (now >= principal.expiresAtMillis()) {
            closeWithError(ErrorCode.TOKEN_EXPIRED, "the token expired; reconnect with a new one", CloseCode.TOKEN_EXPIRED);
            return;
        } else if (now >= nextPingAt) {
            send(Envelope.builder(MessageType.PING).build());
            if (pongDeadline == 0) {
                pongDeadline = now + config.heartbeatTimeout().toMillis();
            }
            nextPingAt = now + config.heartbeatInterval().toMillis();
        }
        reschedule();
    }

    private void reschedule() {
        long due;
        if (state == State.CLOSING) {
            due = closeDeadline;
        } else {
            due = nextPingAt;
            if (pongDeadline != 0) {
                due = Math.min(due, pongDeadline);
            }
            due = Math.min(due, principal.expiresAtMillis());
        }
        if (timer != null) {
            if (timerDueAt == due) {
                return;
            }
            timer.cancel(false);
        }
        timerDueAt = due;
        long delay = Math.max(0, due - System.currentTimeMillis());
        timer = channel.eventLoop().schedule(this::onTimer, delay, TimeUnit.MILLISECONDS);
    }

    private void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    @Override
    public String toString() {
        return "Session[" + id + ", user=" + principal.userId() + "]";
    }
}
