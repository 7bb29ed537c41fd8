package io.switchboard.client;

import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.EnvelopeDecoder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A recorder in place of the network: each open() is an {@link Attempt} the test accepts or refuses. */
final class FakeTransport implements Transport {

    static final String WELCOME = "{\"v\":1,\"type\":\"welcome\",\"payload\":{\"sessionId\":\"s1\",\"userId\":\"alice\","
            + "\"server\":\"switchboard/test\",\"protocol\":1,\"heartbeat\":{\"intervalMs\":25000,\"timeoutMs\":10000},"
            + "\"limits\":{\"maxFrameBytes\":65536,\"maxChannels\":128,\"maxQueuedBytes\":1048576}}}";

    final List<Attempt> attempts = new ArrayList<>();
    /** When true, every open fails at once like a refused TCP connection. */
    boolean refuseAll;

    @Override
    public synchronized CompletableFuture<Void> open(URI uri, String token, Duration timeout, Listener listener) {
        Attempt a = new Attempt(token, listener);
        attempts.add(a);
        if (refuseAll) {
            a.refuse();
        }
        return a.result;
    }

    synchronized Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    synchronized int count() {
        return attempts.size();
    }

    static final class Attempt {
        final String token;
        final Listener listener;
        final CompletableFuture<Void> result = new CompletableFuture<>();
        Conn conn;

        Attempt(String token, Listener listener) {
            this.token = token;
            this.listener = listener;
        }

        void refuse() {
            result.completeExceptionally(new ConnectException("Connection refused"));
        }

        /** Opens the socket and sends the welcome. */
        Conn accept() {
            return accept(WELCOME);
        }

        Conn accept(String welcome) {
            conn = new Conn(listener);
            listener.onOpen(conn);
            result.complete(null);
            if (welcome != null) {
                conn.push(welcome);
            }
            return conn;
        }
    }

    static final class Conn implements Connection {
        private static final EnvelopeDecoder DECODER = new EnvelopeDecoder();
        final Listener listener;
        final List<String> frames = new ArrayList<>();
        int closedWith = -1;
        boolean aborted;

        Conn(Listener listener) {
            this.listener = listener;
        }

        @Override
        public synchronized CompletableFuture<Void> sendText(String text) {
            frames.add(text);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public synchronized void abort() {
            aborted = true;
        }

        void push(String frame) {
            listener.onText(frame);
        }

        void serverClose(int code, String reason) {
            listener.onClose(code, reason);
        }

        void drop() {
            listener.onError(new IOException("connection reset"));
        }

        /** Every envelope the client sent, batches split. */
        synchronized List<Envelope> sent() {
            List<Envelope> out = new ArrayList<>();
            for (String f : frames) {
                try {
                    for (Decoded d : DECODER.decode(f.getBytes(StandardCharsets.UTF_8))) {
                        out.add((Envelope) d);
                    }
                } catch (Exception e) {
                    throw new AssertionError("client sent an undecodable frame: " + f, e);
                }
            }
            return out;
        }

        synchronized Envelope lastSent() {
            List<Envelope> s = sent();
            return s.get(s.size() - 1);
        }
    }
}
