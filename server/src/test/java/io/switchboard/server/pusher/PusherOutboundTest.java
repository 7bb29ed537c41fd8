package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.server.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Pusher connection's outbound queue on Netty's EmbeddedChannel: one frame per event, in order; the
 * {@code --max-queued-bytes} bound counts what is queued and what was written but is not yet on the
 * socket, runs the overflow action once and drops everything after.
 */
class PusherOutboundTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final AtomicInteger overflows = new AtomicInteger();

    static byte[] event(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    List<String> written() {
        return io.switchboard.server.testing.Written.texts(channel);
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void eachEventLeavesAsAFrameOfItsOwnInOrder() {
        PusherOutbound out = new PusherOutbound(channel, 1000, overflows::incrementAndGet, new Metrics());
        out.deliver(event("{\"event\":\"a\"}"));
        out.deliver(event("{\"event\":\"b\"}"));
        assertThat(written()).containsExactly("{\"event\":\"a\"}", "{\"event\":\"b\"}");
        assertThat(overflows).hasValue(0);
    }

    @Test
    void aStalledReaderPassesTheBoundOnceAndNothingFollows() {
        PusherOutbound out = new PusherOutbound(channel, 100, overflows::incrementAndGet, new Metrics());
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // a client that does not read
        for (int i = 0; i < 20; i++) {
            out.deliver(event("{\"n\":" + (10 + i) + "}")); // 8 bytes each: the 13th passes 100
        }
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        out.deliver(event("{\"late\":1}"));
        out.scheduleFlush();
        assertThat(written()).as("the queue was dropped; nothing follows the overflow").isEmpty();
    }

    @Test
    void bytesWrittenButNotYetOnTheSocketCountTowardsTheBound() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // nothing more is written or flushed
        channel.write(new TextWebSocketFrame("x".repeat(90))); // written, not on the socket
        long held = io.switchboard.server.util.Unsent.bytes(channel); // not flushed: the frame and Netty's overhead for it
        assertThat(held).isGreaterThanOrEqualTo(90);
        byte[] one = event("{\"n\":10}"); // 8 bytes
        PusherOutbound out = new PusherOutbound(channel, held + one.length, overflows::incrementAndGet, new Metrics());
        out.deliver(one); // queued here: exactly the bound, which is allowed
        channel.runPendingTasks();
        assertThat(overflows).hasValue(0);
        out.deliver(event("{}")); // 2 more pass it
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
    }

    @Test
    void queuedFramesAreGivenBackWhenTheConnectionClosesOrOverflows() {
        ByteBuf frame = PusherOutboundSocketTest.frame("{\"event\":\"shared\"}");
        PusherOutbound closing = new PusherOutbound(channel, 1000, overflows::incrementAndGet, new Metrics());
        closing.deliver(frame.retainedDuplicate()); // queued; the flush has not run
        closing.deliver(frame.retainedDuplicate());
        assertThat(frame.refCnt()).isEqualTo(3);
        closing.close();
        assertThat(frame.refCnt()).as("the queue's views released on close").isEqualTo(1);
        closing.deliver(frame.retainedDuplicate());
        assertThat(frame.refCnt()).as("refused after close").isEqualTo(1);

        EmbeddedChannel other = new EmbeddedChannel();
        try {
            PusherOutbound full = new PusherOutbound(other, 40, overflows::incrementAndGet, new Metrics());
            full.deliver(frame.retainedDuplicate()); // 18 bytes of event
            full.deliver(frame.retainedDuplicate()); // 36
            full.deliver(frame.retainedDuplicate()); // 54: over 40, refused, and the queue dropped
            other.runPendingTasks();
            assertThat(overflows).hasValue(1);
            assertThat(frame.refCnt()).as("every view released: the refused one and the queued ones").isEqualTo(1);
        } finally {
            other.finishAndReleaseAll();
            frame.release();
        }
    }
}
