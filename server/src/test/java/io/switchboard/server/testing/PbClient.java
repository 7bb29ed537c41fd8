package io.switchboard.server.testing;

import com.google.protobuf.ByteString;
import io.switchboard.protocol.proto.Envelope;
import io.switchboard.protocol.proto.Type;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@code switchboard.v1.protobuf} test client on the JDK's own WebSocket ({@code java.net.http}), not the
 * server's Netty: it sends binary frames built with the classes protoc generated from the schema, and reads
 * the server's frames back with them (varint-delimited envelopes). Answers the server's pings by itself.
 */
public final class PbClient implements AutoCloseable {

    public static final String SUBPROTOCOL = "switchboard.v1.protobuf";

    public final LinkedBlockingDeque<Envelope> received = new LinkedBlockingDeque<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    /** Text frames the server sent (it never should on this subprotocol). */
    public final AtomicInteger textFrames = new AtomicInteger();
    /** Binary frames received, and those with more than one envelope. */
    public final AtomicInteger frames = new AtomicInteger();
    public final AtomicInteger batches = new AtomicInteger();
    public volatile Throwable failure;
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket ws;
    private String subprotocol;

    public static PbClient connect(int port, String token) throws Exception {
        return connect(port, token, SUBPROTOCOL);
    }

    /** @param subprotocols what the client offers, in its order of preference */
    public static PbClient connect(int port, String token, String... subprotocols) throws Exception {
        PbClient c = new PbClient();
        c.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length))
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + token), c.new Listener())
                .get(10, TimeUnit.SECONDS);
        c.subprotocol = c.ws.getSubprotocol();
        return c;
    }

    public String subprotocol() {
        return subprotocol;
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                byte[] whole = partial.toByteArray();
                partial.reset();
                try {
                    List<Envelope> envs = decode(whole);
                    frames.incrementAndGet();
                    if (envs.size() > 1) {
                        batches.incrementAndGet();
                    }
                    for (Envelope e : envs) {
                        if (e.getType() == Type.PING && e.getCommandIdCase() == Envelope.CommandIdCase.COMMANDID_NOT_SET) {
                            send(Envelope.newBuilder().setType(Type.PONG).build());
                        }
                        received.add(e);
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            textFrames.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failure = error;
            closeCode.complete(-1);
        }
    }

    /** The envelopes of one binary frame: each preceded by its length as a varint. */
    public static List<Envelope> decode(byte[] frame) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(frame);
        java.util.ArrayList<Envelope> out = new java.util.ArrayList<>();
        Envelope e;
        while ((e = Envelope.parseDelimitedFrom(in)) != null) {
            out.add(e);
        }
        return out;
    }

    /** One binary frame holding {@code envelopes}, each delimited. */
    public static byte[] encode(Envelope... envelopes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Envelope e : envelopes) {
                e.writeDelimitedTo(out);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public synchronized void send(Envelope... envelopes) {
        sendRaw(encode(envelopes));
    }

    public synchronized void sendRaw(byte[] frame) {
        sent(ws.sendBinary(ByteBuffer.wrap(frame), true));
    }

    public synchronized void sendText(String text) {
        sent(ws.sendText(text, true));
    }

    /** Waits for a send; one that fails because the connection is closing is dropped, as a browser drops it. */
    private void sent(CompletableFuture<WebSocket> f) {
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (!ws.isOutputClosed() && !closeCode.isDone()) {
                throw e;
            }
        }
    }

    public String nextId() {
        return "p" + ids.incrementAndGet();
    }

    /** Sends a command (an id is added) and waits for its reply. */
    public Envelope call(Envelope.Builder command) throws InterruptedException {
        String id = nextId();
        send(command.setId(id).build());
        return await(e -> e.getId().equals(id) && (e.getType() == Type.ACK || e.getType() == Type.ERROR || e.getType() == Type.PONG));
    }

    public Envelope subscribe(String channel) throws InterruptedException {
        return call(Envelope.newBuilder().setType(Type.SUBSCRIBE).setChannel(channel));
    }

    public Envelope publish(String channel, byte[] payload) throws InterruptedException {
        return call(Envelope.newBuilder().setType(Type.PUBLISH).setChannel(channel).setPayload(ByteString.copyFrom(payload)));
    }

    public Envelope await(Predicate<Envelope> p) throws InterruptedException {
        return await(p, Duration.ofSeconds(10));
    }

    /** Waits for (and removes) the first envelope matching {@code p}; fails after {@code timeout}. */
    public Envelope await(Predicate<Envelope> p, Duration timeout) throws InterruptedException {
        synchronized (skipped) {
            for (java.util.Iterator<Envelope> it = skipped.iterator(); it.hasNext(); ) {
                Envelope e = it.next();
                if (p.test(e)) {
                    it.remove();
                    return e;
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Envelope e = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no matching envelope within " + timeout + "; received: " + skipped
                            + (failure == null ? "" : "; failure: " + failure));
                }
                if (p.test(e)) {
                    return e;
                }
                skipped.add(e);
            }
        }
    }

    /** Envelopes an {@link #await} passed over, in arrival order; later awaits look here first. */
    private final java.util.List<Envelope> skipped = new java.util.ArrayList<>();

    public Envelope awaitType(Type t) throws InterruptedException {
        return await(e -> e.getType() == t);
    }

    public boolean isOpen() {
        return !ws.isInputClosed() && !closeCode.isDone();
    }

    public int awaitClose() throws Exception {
        return closeCode.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(1000, "").exceptionally(t -> null);
        }
        ws.abort();
    }
}
