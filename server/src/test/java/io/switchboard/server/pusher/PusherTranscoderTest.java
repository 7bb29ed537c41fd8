package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The per-node memory of the last publication of a channel as a Pusher event: a subscriber holding the
 * very same envelope bytes (wherever they sit in its buffer) gets the remembered event; one byte different,
 * another length or another channel gets nothing and transcodes for itself.
 */
class PusherTranscoderTest {

    static final String ENVELOPE = "{\"v\":1,\"type\":\"message\",\"channel\":\"pusher.1:news\",\"offset\":7,"
            + "\"payload\":{\"event\":\"update\",\"data\":\"" + "x".repeat(37) + "\"}}"; // not a multiple of 8 bytes
    static final byte[] EVENT = "{\"event\":\"update\",\"channel\":\"news\",\"data\":\"...\"}".getBytes(StandardCharsets.UTF_8);

    /** {@code text} in a pooled direct buffer, after some other bytes, as a subscriber's slice of a shared frame. */
    static ByteBuf sliceOf(String text) {
        ByteBuf whole = PooledByteBufAllocator.DEFAULT.directBuffer();
        whole.writeBytes(new byte[] {(byte) 0x81, 0x7e, 0, 0}); // a frame header before the envelope
        whole.writeCharSequence(text, StandardCharsets.UTF_8);
        ByteBuf slice = whole.retainedSlice(4, whole.readableBytes() - 4);
        whole.release();
        return slice;
    }

    @Test
    void theSameBytesFindTheRememberedEventAndAnyDifferenceFindsNothing() {
        PusherTranscoder t = new PusherTranscoder(64);
        t.remember("pusher.1:news", ENVELOPE.getBytes(StandardCharsets.UTF_8), EVENT);

        ByteBuf same = sliceOf(ENVELOPE);
        ByteBuf lastByte = sliceOf(ENVELOPE.substring(0, ENVELOPE.length() - 1) + "]");
        ByteBuf firstByte = sliceOf("[" + ENVELOPE.substring(1));
        ByteBuf shorter = sliceOf(ENVELOPE.substring(0, ENVELOPE.length() - 1));
        try {
            assertThat(t.find("pusher.1:news", same)).isSameAs(EVENT);
            assertThat(same.readerIndex()).as("the subscriber's view is left as it was").isZero();
            assertThat(t.find("pusher.1:news", lastByte)).isNull();
            assertThat(t.find("pusher.1:news", firstByte)).isNull();
            assertThat(t.find("pusher.1:news", shorter)).isNull();
            assertThat(t.find("pusher.1:other", same)).as("another channel").isNull();
        } finally {
            same.release();
            lastByte.release();
            firstByte.release();
            shorter.release();
        }
    }
}
