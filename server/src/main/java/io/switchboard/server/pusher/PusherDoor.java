package io.switchboard.server.pusher;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.node.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Pusher Channels front door (docs/pusher.md): the WebSocket protocol at {@code /app/{key}} and the HTTP
 * API under {@code /apps/{id}/}, for the node's configured apps. The transport hands it upgraded connections
 * and {@code /apps/} requests; it calls the node's {@code ChannelService} for everything a channel operation
 * means, and imports no other front door.
 */
public final class PusherDoor {

    /** Close codes of a refused Pusher connection. */
    static final int CLOSE_UNKNOWN_APP = 4001;
    static final int CLOSE_OVER_QUOTA = 4004;
    static final int CLOSE_BAD_VERSION = 4006;
    static final int CLOSE_UNSUPPORTED_PROTOCOL = 4007;
    static final int CLOSE_NO_PROTOCOL = 4008;

    private final Node node;
    private final Map<String, PusherApp> byKey = new HashMap<>();
    private final Map<String, PusherApp> byId = new HashMap<>();
    private final Map<String, AtomicInteger> open = new HashMap<>();
    private final PusherHttpApi api;
    private final PusherTranscoder transcoder = new PusherTranscoder();

    public PusherDoor(Node node) {
        this.node = node;
        for (PusherApp a : node.config().pusherApps()) {
            byKey.put(a.key(), a);
            byId.put(a.id(), a);
            open.put(a.id(), new AtomicInteger());
        }
        this.api = new PusherHttpApi(node, byId);
        node.metrics().bindPusherApps(() -> {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            open.forEach((id, n) -> counts.put(id, Math.max(0, n.get())));
            return counts;
        });
    }

    /** Null when the front door is off (no app configured). */
    public static PusherDoor create(Node node) {
        return node.config().pusherApps().isEmpty() ? null : new PusherDoor(node);
    }

    /** Whether {@code key} is one of the apps' (the transport's early check on {@code /apps/} requests uses ids, see {@link #knowsApp}). */
    public boolean knowsKey(String key) {
        return byKey.containsKey(key);
    }

    /** Whether {@code appId} is a configured app's id. */
    public boolean knowsApp(String appId) {
        return byId.containsKey(appId);
    }

    /**
     * Takes over a connection whose WebSocket handshake to {@code /app/{key}} is on its way: refuses it the
     * Pusher way (an error event, then the close code) or starts the protocol.
     *
     * @param query    the request's query parameters ({@code protocol}, {@code client}, ...)
     * @param draining  true when the node is shutting down (the client is told 4200: reconnect at once, elsewhere)
     * @param overLimit why the transport's connection limits refuse it (told 4100: reconnect later), or null
     * @param onEnd     runs once when the connection ends (gives back the transport's limit slots)
     * @return a starter to run once the handshake response is written
     */
    public Runnable open(Channel ch, String key, Map<String, List<String>> query, boolean draining, String overLimit,
                         Runnable onEnd) {
        PusherApp app = byKey.get(key);
        String refusal = null;
        int code = 0;
        List<String> protocol = query.get("protocol");
        if (app == null) {
            code = CLOSE_UNKNOWN_APP;
            refusal = "Application does not exist";
        } else if (protocol == null || protocol.isEmpty() || protocol.get(0).isEmpty()) {
            code = CLOSE_NO_PROTOCOL;
            refusal = "No protocol version supplied";
        } else if (!protocol.get(0).matches("\\d{1,3}")) {
            code = CLOSE_BAD_VERSION;
            refusal = "Invalid version string format";
        } else if (Integer.parseInt(protocol.get(0)) < 5 || Integer.parseInt(protocol.get(0)) > 7) {
            code = CLOSE_UNSUPPORTED_PROTOCOL;
            refusal = "Unsupported protocol version: this node speaks 5 to 7";
        } else if (overLimit != null) {
            code = PusherConnection.CLOSE_OVER_CAPACITY;
            refusal = overLimit;
        } else if (draining) {
            code = PusherConnection.CLOSE_RECONNECT;
            refusal = "the node is shutting down; reconnect";
        } else if (app.maxConnections() > 0 && open.get(app.id()).incrementAndGet() > app.maxConnections()) {
            open.get(app.id()).decrementAndGet();
            code = CLOSE_OVER_QUOTA;
            refusal = "Application is over connection quota";
        } else if (app.maxConnections() == 0) {
            open.get(app.id()).incrementAndGet();
        }
        if (refusal != null) {
            int c = code;
            String why = refusal;
            onEnd.run();
            return () -> refuse(ch, c, why);
        }
        AtomicInteger count = open.get(app.id());
        PusherConnection connection = new PusherConnection(node, app, ch, transcoder, () -> {
            count.decrementAndGet();
            onEnd.run();
        });
        // The connection writes its frames as bytes (ServerFrames); the handshake's answer has passed the encoder.
        ch.pipeline().remove(io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder.class);
        ch.pipeline().addLast("pusher", new PusherHandler(connection));
        return connection::start;
    }

    /** Sends the refusal (pusher:error and the close frame) and closes the socket shortly after. */
    private static void refuse(Channel ch, int code, String message) {
        ch.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(PusherFrames.error(code, message))));
        ch.writeAndFlush(new CloseWebSocketFrame(code, message.length() > 100 ? message.substring(0, 100) : message));
        ch.eventLoop().schedule(() -> {
            ch.close();
        }, 2, TimeUnit.SECONDS);
    }

    /** An answer of the HTTP API. */
    public record Reply(int status, byte[] body) {
    }

    /**
     * A request under {@code /apps/}: {@code path} as requested, the raw query string (the signature covers
     * its parameters), and the body.
     */
    public CompletableFuture<Reply> http(String method, String path, Map<String, List<String>> query, byte[] body) {
        return api.handle(method, path, query, body);
    }
}
