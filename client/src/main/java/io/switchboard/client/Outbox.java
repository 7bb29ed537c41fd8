package io.switchboard.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
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
    private final io.switchboard.protocol.WireFormat format;
    private final Executor loop;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int maxFrameBytes;
    private boolean sending;
    private boolean closed;

    Outbox(Transport.Connection connection, Executor loop, int maxFrameBytes) {
        this(connection, io.switchboard.protocol.WireFormat.JSON, loop, maxFrameBytes);
    }

    /** @param format how the queued envelopes were encoded: a JSON array batch in text, or delimited Protobuf in binary */
    Outbox(Transport.Connection connection, io.switchboard.protocol.WireFormat format, Executor loop, int maxFrameBytes) {
        this.connection = connection;
        this.format = format;
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
        sending = true;
        CompletableFuture<Void> sent = format.text() ? connection.sendText(nextFrame()) : connection.sendBinary(nextBinaryFrame());
        sent.whenComplete((ok, failure) -> loop.execute(() -> {
            sending = false;
            // A failed send means the socket is failing; its listener reports that, so just stop here.
            if (failure == null) {
                drain();
            }
        }));
    }

    /** Delimited Protobuf envelopes back to back: a batch is their concatenation. */
    private byte[] nextBinaryFrame() {
        byte[] first = queue.poll();
        if (queue.isEmpty()) {
            return first;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(first.length * 2);
        b.writeBytes(first);
        int count = 1;
        while (count < MAX_BATCH && !queue.isEmpty() && b.size() + queue.peek().length <= maxFrameBytes) {
            b.writeBytes(queue.poll());
            count++;
        }
        return b.toByteArray();
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
