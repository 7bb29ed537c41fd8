package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.PusherApp;
import io.switchboard.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Pusher protocol frame by frame, with the JDK's WebSocket client: the handshake's refusals (4001, 4006,
 * 4007, 4008), pusher:ping, WebSocket pings, bad frames, the activity check (4201) and the drain (4200).
 */
class PusherProtocolIT {

    static final PusherApp APP = PusherApp.of("1001", "key-a", "secret-a-0123456789");

    /** A raw Pusher client: every text frame and the close code it got. */
    static final class Raw implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
        final boolean answerPings;
        volatile boolean paused; // asks for no more frames: the socket fills, then the server's queue
        WebSocket ws;
        String socketId; // set by whoever reads connection_established and wants it
        private final StringBuilder partial = new StringBuilder();

        Raw(boolean answerPings) {
            this.answerPings = answerPings;
        }

        static Raw connect(int port, String pathAndQuery, boolean answerPings) {
            Raw r = new Raw(answerPings);
            r.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + pathAndQuery), r).join();
            return r;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            if (!paused) {
                ws.request(1);
            }
            return null;
        }

        /** Stops asking for frames once the one being read is in. */
        void pause() {
            paused = true;
        }

        /** Asks for frames again. */
        void resume() {
            paused = false;
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pongs.add(java.nio.charset.StandardCharsets.UTF_8.decode(message).toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        String next() throws InterruptedException {
            String f = frames.poll(5, TimeUnit.SECONDS);
            assertThat(f).as("a frame within 5 s").isNotNull();
            return f;
        }

        /** The next frame whose event is {@code event}, skipping others. */
        String next(String event) throws InterruptedException {
            while (true) {
                String f = next();
                if (f.contains("\"event\":\"" + event + "\"")) {
                    return f;
                }
                if (answerPings && f.contains("\"pusher:ping\"")) {
                    send("{\"event\":\"pusher:pong\",\"data\":{}}");
                }
            }
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        int closeCode() {
            return closed.orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void handshakeRefusalsCarryPushersCloseCodes() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(APP)))) {
            Raw unknown = Raw.connect(node.port(), "/app/nope?protocol=7", false);
            assertThat(unknown.next()).contains("\"code\":4001");
            assertThat(unknown.closeCode()).isEqualTo(4001);
            assertThat(Raw.connect(node.port(), "/app/key-a", false).closeCode()).isEqualTo(4008);
            assertThat(Raw.connect(node.port(), "/app/key-a?protocol=x", false).closeCode()).isEqualTo(4006);
            assertThat(Raw.connect(node.port(), "/app/key-a?protocol=4", false).closeCode()).isEqualTo(4007);
        }
    }

    @Test
    void pingsBadFramesAndTheDrain() throws Exception {
        TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(APP)));
        try {
            Raw c = Raw.connect(node.port(), "/app/key-a?protocol=7&client=raw", true);
            String hello = c.next("pusher:connection_established");
            assertThat(hello).matches(".*\\\\\"socket_id\\\\\":\\\\\"\\d+\\.\\d+\\\\\".*").contains("activity_timeout");
            c.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertThat(c.next("pusher:pong")).isEqualTo("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
            c.ws.sendPing(ByteBuffer.wrap("hi".getBytes())).join();
            assertThat(c.pongs.poll(5, TimeUnit.SECONDS)).isEqualTo("hi");
            c.send("not json");
            assertThat(c.next("pusher:error")).contains("not JSON");
            c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"a:b\"}}");
            assertThat(c.next("pusher:error")).contains("character");
            c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-x\",\"auth\":\"key-a:00\"}}");
            assertThat(c.next("pusher:subscription_error")).contains("\"status\":401").contains("\"channel\":\"private-x\"");
            c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
            assertThat(c.next("pusher_internal:subscription_succeeded")).contains("\"channel\":\"news\"");
            // Still open after every bad frame; the drain closes with 4200, reconnect at once.
            node.server.shutdown();
            assertThat(c.next("pusher:error")).contains("\"code\":4200");
            assertThat(c.closeCode()).isEqualTo(4200);
        } finally {
            node.close();
        }
    }

    @Test
    void aClientThatNeverAnswersAPusherPingIsClosedWith4201() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(APP))
                .heartbeatInterval(Duration.ofSeconds(1)).heartbeatTimeout(Duration.ofMillis(500)))) {
            Raw silent = Raw.connect(node.port(), "/app/key-a?protocol=7", false);
            assertThat(silent.next()).contains("\\\"activity_timeout\\\":1");
            assertThat(silent.next()).contains("pusher:ping");
            assertThat(silent.closeCode()).isEqualTo(4201);
        }
    }
}
