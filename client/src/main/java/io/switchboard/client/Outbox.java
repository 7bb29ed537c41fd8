package io.switchboard.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * The envelopes waiting to be written to one connection. The JDK's WebSocket takes one send at a time,
 * so envelopes queue here while a send is in flight, and whatever queued meanwhile goes out as one array
 * frame (at most 100 envelopes and the server's frame limit, as the protocol allows), the way the server
 * batches too. Confined to the client's loop; send completions hop back to it.
 */
final class Outbox {

    static final int MAX_BATCH = 100;

    private final Transport.Connection connection;
    private final Executor loop;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int maxFrameBytes;
    private boolean sending;
    private boolean closed;

    Outbox(Transport.Connection connection, Executor loop, int maxFrameBytes) {
        this.connection = connection;
        this.loop = loop;
        this.maxFrameBytes = maxFrameBytes;
    }

    Transport.Connection connection() {
        return connection;
    }

    void maxFrameBytes(int bytes) {
        this.maxFrameBytes = bytes;
    }

    /** Queues one encoded envelope; it must fit the frame limit on its own. */
    void send(byte[] envelope) {
        if (closed) {
            return;
        }
        queue.add(envelope);
        drain();
    }

    /** Drops what is queued; the connection is gone. */
    void close() {
        closed = true;
        queue.clear();
    }

    private void drain() {
        if (sending || queue.isEmpty() || closed) {
            return;
        }
        String frame = nextFrame();
        sending = true;
        connection.sendText(frame).whenComplete((ok, failure) -> loop.execute(() -> {
            sending = false;
            // A failed send means the socket is failing; its listener reports that, so just stop here.
            if (failure == null) {
                drain();
            }
        }));
    }

    private String nextFrame() {
        byte[] first = queue.poll();
        if (queue.isEmpty()) {
            return new String(first, StandardCharsets.UTF_8);
        }
        StringBuilder b = new StringBuilder(first.length * 2).append('[').append(new String(first, StandardCharsets.UTF_8));
        int bytes = first.length + 2;
        int count = 1;
        while (count < MAX_BATCH && !queue.isEmpty() && bytes + 1 + queue.peek().length <= maxFrameBytes) {
            byte[] next = queue.poll();
            b.append(',').append(new String(next, StandardCharsets.UTF_8));
            bytes += 1 + next.length;
            count++;
        }
        return b.append(']').toString();
    }
}
