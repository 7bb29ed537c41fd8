package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One raw protocol-v1 connection over the JDK's WebSocket client: no SDK, so nothing is deduplicated or
 * reordered on the client's side. Every envelope received (a frame may be one object or an array) is
 * handed to the {@link Handler} on the run's single client thread, in arrival order, and so is the end
 * of the connection, once.
 */
final class WsConn implements WebSocket.Listener {

    static final ObjectMapper MAPPER = new ObjectMapper();

    interface Handler {
        void onEnvelope(WsConn c, JsonNode envelope);

        void onClosed(WsConn c, String why);
    }

    final int node;
    private final ScheduledExecutorService loop;
    private final Handler handler;
    private final CompletableFuture<WsConn> opened = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final StringBuilder parts = new StringBuilder();
    private volatile WebSocket ws;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    volatile long lastHeardNanos = System.nanoTime();

    private WsConn(int node, ScheduledExecutorService loop, Handler handler) {
        this.node = node;
        this.loop = loop;
        this.handler = handler;
    }

    /**
     * Opens {@code ws://127.0.0.1:port/ws} with the token in the query ({@code null}: anonymous). Fails
     * after 4 s, which covers a node that accepts TCP but is frozen (SIGSTOP) and never answers.
     */
    static CompletableFuture<WsConn> open(HttpClient http, int node, int port, String token,
                                          ScheduledExecutorService loop, Handler handler) {
        WsConn c = new WsConn(node, loop, handler);
        String query = token == null ? "" : "?access_token=" + URLEncoder.encode(token, StandardCharsets.US_ASCII);
        http.newWebSocketBuilder().subprotocols("switchboard.v1.json").connectTimeout(Duration.ofSeconds(2))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), c)
                .whenComplete((w, e) -> {
                    if (e != null) {
                        c.opened.completeExceptionally(e);
                    }
                });
        loop.schedule(() -> {
            if (c.opened.completeExceptionally(new IllegalStateException("no handshake in 4 s"))) {
                c.abort();
            }
        }, 4, TimeUnit.SECONDS);
        return c.opened;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        lastHeardNanos = System.nanoTime();
        if (!opened.complete(this)) {
            webSocket.abort(); // the caller gave up on it already
            return;
        }
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastHeardNanos = System.nanoTime();
        parts.append(data);
        if (last) {
            String text = parts.toString();
            parts.setLength(0);
            loop.execute(() -> dispatch(text));
        }
        webSocket.request(1);
        return null;
    }

    private void dispatch(String text) {
        if (ended.get()) {
            return;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            end("unreadable frame: " + e.getMessage());
            return;
        }
        if (root.isArray()) {
            for (JsonNode env : root) {
                handler.onEnvelope(this, env);
            }
        } else {
            handler.onEnvelope(this, root);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        loop.execute(() -> end("closed " + statusCode));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        loop.execute(() -> end(error.getClass().getSimpleName()));
    }

    /** Sends one envelope; sends are chained because the JDK client allows one outstanding send. */
    synchronized void send(String json) {
        WebSocket w = ws;
        if (w == null || ended.get()) {
            return;
        }
        sending = sending.handle((x, e) -> null).thenCompose(x -> ended.get() ? CompletableFuture.completedFuture(null) : w.sendText(json, true))
                .whenComplete((x, e) -> {
                    if (e != null) {
                        loop.execute(() -> end("send failed: " + e.getClass().getSimpleName()));
                    }
                });
    }

    /** Closes with 1000 (a client that leaves on purpose); the end is reported when the server answers. */
    synchronized void close() {
        WebSocket w = ws;
        if (w == null || ended.get()) {
            return;
        }
        sending = sending.handle((x, e) -> null).thenCompose(x -> w.sendClose(1000, "bye"));
    }

    /** Drops the connection without a close handshake (as a crashed client or a cut cable would). */
    void abort() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        loop.execute(() -> end("aborted"));
    }

    boolean isOpen() {
        return !ended.get() && ws != null;
    }

    private void end(String why) {
        if (ended.compareAndSet(false, true)) {
            WebSocket w = ws;
            if (w != null) {
                w.abort();
            }
            if (opened.isDone() && !opened.isCompletedExceptionally()) {
                handler.onClosed(this, why);
            }
        }
    }

    long silentMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
    }
}
