package io.switchboard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link Transport} on the JDK's {@link java.net.http.WebSocket}: no dependencies beyond the JDK. One
 * {@link HttpClient} (and so one selector thread) may serve many sockets and many clients. Thread-safe.
 */
final class JdkTransport implements Transport {

    /** Refuse to assemble a message bigger than this: the server never sends one, so it is a broken peer. */
    static final int MAX_MESSAGE_CHARS = 16 << 20;

    private static volatile HttpClient shared;

    private final HttpClient http;

    JdkTransport(HttpClient http) {
        this.http = http;
    }

    /** The HttpClient of clients built without one: created once, shared by all of them. */
    static HttpClient sharedHttpClient() {
        HttpClient h = shared;
        if (h == null) {
            synchronized (JdkTransport.class) {
                h = shared;
                if (h == null) {
                    h = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    shared = h;
                }
            }
        }
        return h;
    }

    @Override
    public CompletableFuture<Void> open(URI uri, String token, Duration timeout, Listener listener) {
        return open(uri, token, timeout, SUBPROTOCOL, listener);
    }

    @Override
    public CompletableFuture<Void> open(URI uri, String token, Duration timeout, String subprotocol, Listener listener) {
        WebSocket.Builder b = http.newWebSocketBuilder().subprotocols(subprotocol).connectTimeout(timeout);
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.buildAsync(uri, new Adapter(listener)).thenApply(ws -> null);
    }

    /** Turns the JDK's callbacks into whole messages for the client. */
    private static final class Adapter implements WebSocket.Listener {
        private final Listener listener;
        // Fragments of the message being received; the JDK calls one method at a time, so no lock.
        private StringBuilder parts;
        private java.io.ByteArrayOutputStream binaryParts;

        Adapter(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket ws) {
            listener.onOpen(new JdkConnection(ws));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (parts == null && last) {
                listener.onText(data.toString());
            } else {
                if (parts == null) {
                    parts = new StringBuilder();
                }
                if (parts.length() + data.length() > MAX_MESSAGE_CHARS) {
                    ws.abort();
                    listener.onError(new java.io.IOException("the server sent a message over " + MAX_MESSAGE_CHARS + " characters"));
                    return null;
                }
                parts.append(data);
                if (last) {
                    String whole = parts.toString();
                    parts = null;
                    listener.onText(whole);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            if (binaryParts == null && last) {
                listener.onBinary(chunk);
            } else {
                if (binaryParts == null) {
                    binaryParts = new java.io.ByteArrayOutputStream();
                }
                if (binaryParts.size() + chunk.length > MAX_MESSAGE_CHARS) {
                    ws.abort();
                    listener.onError(new java.io.IOException("the server sent a message over " + MAX_MESSAGE_CHARS + " bytes"));
                    return null;
                }
                binaryParts.writeBytes(chunk);
                if (last) {
                    byte[] whole = binaryParts.toByteArray();
                    binaryParts = null;
                    listener.onBinary(whole);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            ws.request(1); // the JDK answers with a pong by itself
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            listener.onClose(statusCode, reason);
            return null; // the JDK answers the close frame once this returns
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            listener.onError(error);
        }
    }

    private static final class JdkConnection implements Connection {
        private final WebSocket ws;

        JdkConnection(WebSocket ws) {
            this.ws = ws;
        }

        @Override
        public CompletableFuture<Void> sendText(String text) {
            return ws.sendText(text, true).thenApply(w -> null);
        }

        @Override
        public CompletableFuture<Void> sendBinary(byte[] bytes) {
            return ws.sendBinary(ByteBuffer.wrap(bytes), true).thenApply(w -> null);
        }

        @Override
        public void close(int code, String reason) {
            ws.sendClose(code, reason).whenComplete((w, e) -> {
                if (e != null) {
                    ws.abort();
                }
            });
        }

        @Override
        public void abort() {
            ws.abort();
        }
    }
}
