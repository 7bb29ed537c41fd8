package io.switchboard.server.session;

import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Commands;
import io.switchboard.protocol.DecodeException;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.Rejected;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.util.LogText;
import io.switchboard.server.util.TokenBucket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of a {@link Session}: turns each whole WebSocket message into commands for
 * {@link Session#handle}, and owns the rules on the way in: the frame kind of the subprotocol, decoding,
 * the command rate ({@code rate_limited}, then close 4003 for a client that keeps on), the protocol's
 * checks, and the bad-input burst rule (close 4002). Logs under the session's logger. A base class of
 * {@link Session} rather than an object of its own, like {@link Heartbeat}, so that a connection pays for no
 * extra object: what it needs of the session it declares below. Event loop only.
 */
abstract class CommandIntake extends Heartbeat {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private BurstWindow badInput; // created by the first bad command: most connections never send one
    private final TokenBucket commandRate; // null when unlimited
    private BurstWindow overRate; // created by the first command over the rate
    private boolean rateLimitLogged;
    private long frameArrivedNanos; // System.nanoTime() when the frame being handled arrived

    /** @param config the node's (the session's own is read from it again when needed) */
    CommandIntake(ServerConfig config) {
        this.commandRate = config.limits().commandsPerSecond() > 0
                ? new TokenBucket(config.limits().commandsPerSecond(), config.limits().commandBurst(), System.nanoTime()) : null;
    }

    // ---- what the session provides (Session's methods of these names) ----
    abstract WireFormat format();

    abstract Metrics metrics();

    abstract boolean isOpen();

    abstract void handle(Envelope e);

    abstract ServerConfig config();

    abstract void error(CommandId id, ErrorCode code, String message);

    abstract long now();

    public abstract String id();

    public abstract void close(CloseCode code);

    abstract io.switchboard.server.auth.Principal principal();

    /** {@link System#nanoTime()} when the frame being handled arrived: a publish's ingress time. */
    final long frameArrivedNanos() {
        return frameArrivedNanos;
    }

    /**
     * One whole WebSocket message: the protocol itself when its kind (text or binary) is the subprotocol's,
     * otherwise an error without id that counts as bad input (protocol.md 1.3).
     */
    final void onFrame(byte[] frame, boolean text) {
        WireFormat format = format();
        Metrics metrics = metrics();
        if (text == format.text()) {
            decodeAndHandle(frame);
        } else if (isOpen()) {
            metrics.frameIn(frame.length, null);
            metrics.frameRejected(format, "wrong_kind");
            reject(null, ErrorCode.BAD_REQUEST, (text ? "text" : "binary") + " frames are not accepted on "
                    + format.subprotocol() + (text ? ": send binary frames" : ": send JSON in text frames"));
        }
    }

    private void decodeAndHandle(byte[] frame) {
        if (!isOpen()) {
            return;
        }
        WireFormat format = format();
        Metrics metrics = metrics();
        frameArrivedNanos = System.nanoTime();
        List<Decoded> decoded;
        try {
            decoded = format.decode(frame);
        } catch (DecodeException e) {
            metrics.frameIn(frame.length, null);
            metrics.frameRejected(format, "malformed");
            reject(null, e.code(), e.getMessage());
            return;
        }
        metrics.frameIn(frame.length, decoded.size() == 1 && decoded.get(0) instanceof Envelope one ? one.type() : null);
        for (Decoded d : decoded) {
            if (!isOpen()) {
                return;
            }
            if (d instanceof Rejected r) {
                reject(r.id(), r.code(), r.message());
                continue;
            }
            Envelope e = (Envelope) d;
            metrics.messageIn(e.type());
            if (commandRate != null && e.type() != MessageType.PONG && !commandRate.tryTake(System.nanoTime())) {
                rateLimited(e);
                continue;
            }
            Rejected r = Commands.check(e);
            if (r != null) {
                reject(r.id(), r.code(), r.message());
            } else {
                handle(e);
            }
        }
    }

    /** An error caused by malformed input: counted against the burst limit. */
    final void reject(CommandId commandId, ErrorCode code, String message) {
        ServerConfig config = config();
        error(commandId, code, message);
        if (badInput == null) {
            badInput = new BurstWindow(config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
        }
        if (badInput.countIsOver(now())) {
            log.atInfo().addKeyValue("session", id()).log("session {} closed: more than {} bad commands in {}", id(),
                    config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
            close(CloseCode.TOO_MANY_ERRORS);
        }
    }

    /** A command over the rate: refused; a client that keeps on regardless is closed with 4003. */
    private void rateLimited(Envelope e) {
        ServerConfig config = config();
        metrics().rateLimitedCommand();
        if (!rateLimitLogged) {
            rateLimitLogged = true; // once per connection, not per refused command
            String id = id();
            log.atInfo().addKeyValue("session", id).log("session {} (user '{}') is over {} commands per second; refusing with rate_limited",
                    id, LogText.escape(principal().userId()), config.limits().commandsPerSecond());
        }
        error(e.id(), ErrorCode.RATE_LIMITED, "more than " + config.limits().commandsPerSecond() + " commands per second; slow down");
        if (overRate == null) {
            overRate = new BurstWindow(config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
        }
        if (overRate.countIsOver(now())) {
            log.atInfo().addKeyValue("session", id()).log("session {} closed: kept exceeding {} commands per second", id(),
                    config.limits().commandsPerSecond());
            close(CloseCode.RATE_LIMITED);
        }
    }
}
