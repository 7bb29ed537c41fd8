package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's outbound queue on Netty's EmbeddedChannel: what is queued together leaves as one JSON
 * array within the batch limit, nothing is written while the socket is not writable, and the byte bound
 * runs the overflow action once and drops everything after.
 */
class OutboundTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final AtomicInteger overflows = new AtomicInteger();
    final Outbound out = new Outbound(channel, 100, 40, overflows::incrementAndGet);

    static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    List<String> written() {
        return io.switchboard.server.testing.Written.texts(channel);
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void whatIsQueuedTogetherLeavesAsOneArrayWithinTheBatchLimit() {
        out.deliver(frame("{\"a\":1}"));
        out.deliver(frame("{\"b\":2}"));
        out.deliver(frame("{\"c\":3}"));
        out.deliver(frame("{\"d\":\"" + "x".repeat(20) + "\"}")); // would take the array past 40 bytes
        assertThat(written()).containsExactly("[{\"a\":1},{\"b\":2},{\"c\":3}]", "{\"d\":\"" + "x".repeat(20) + "\"}");
    }

    @Test
    void nothingIsWrittenWhileTheSocketCannotTakeItAndAllOfItAfter() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        out.deliver(frame("{\"a\":1}"));
        assertThat(written()).isEmpty();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        out.deliver(frame("{\"b\":2}")); // the handler also calls scheduleFlush when writability returns
        assertThat(written()).containsExactly("[{\"a\":1},{\"b\":2}]");
    }

    @Test
    void goingOverTheBoundRunsTheOverflowActionOnceAndDropsTheRest() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // a client that does not read
        for (int i = 0; i < 20; i++) {
            out.deliver(frame("{\"n\":" + i + "}")); // 8 bytes each: the 13th passes the 100-byte bound
        }
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        out.deliver(frame("{\"late\":1}"));
        assertThat(written()).as("the queue was dropped; nothing follows the overflow").isEmpty();
    }

    @Test
    void protobufEnvelopesLeaveBackToBackInOneBinaryFrameWithinTheLimits() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        Outbound pb = new Outbound(ch, io.switchboard.protocol.WireFormat.PROTOBUF, 1 << 20, 64, () -> { });
        List<byte[]> envelopes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] e = io.switchboard.protocol.ProtobufCodec.encode(io.switchboard.protocol.Envelope
                    .builder(io.switchboard.protocol.MessageType.MESSAGE).channel("c").ts((long) i).payload(new byte[] {(byte) i}).build());
            envelopes.add(e);
            pb.deliver(Unpooled.wrappedBuffer(e));
        }
        byte[] big = io.switchboard.protocol.ProtobufCodec.encode(io.switchboard.protocol.Envelope
                .builder(io.switchboard.protocol.MessageType.MESSAGE).channel("c").ts(9L).payload(new byte[40]).build());
        pb.deliver(Unpooled.wrappedBuffer(big)); // would take the batch past 64 bytes
        List<byte[]> frames = new ArrayList<>();
        for (io.netty.handler.codec.http.websocketx.WebSocketFrame f : io.switchboard.server.testing.Written.frames(ch)) {
            assertThat(f).isInstanceOf(io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame.class);
            frames.add(io.netty.buffer.ByteBufUtil.getBytes(f.content()));
            f.release();
        }
        assertThat(frames).hasSize(2);
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        envelopes.forEach(joined::writeBytes);
        assertThat(frames.get(0)).as("delimited envelopes, concatenated").isEqualTo(joined.toByteArray());
        assertThat(new io.switchboard.protocol.ProtobufCodec().decode(frames.get(0))).hasSize(3);
        assertThat(frames.get(1)).isEqualTo(big);
        ch.finishAndReleaseAll();
    }

    static io.switchboard.server.hub.Push push(String payload) {
        return new io.switchboard.server.hub.Push(io.netty.buffer.PooledByteBufAllocator.DEFAULT,
                io.switchboard.protocol.Envelope.builder(io.switchboard.protocol.MessageType.MESSAGE).channel("c")
                        .payload(payload.getBytes(StandardCharsets.UTF_8)).build(), payload.length());
    }

    @Test
    void aPushLeavingAloneGoesOutAsItsSharedFrameBytes() {
        Outbound big = new Outbound(channel, 1 << 20, 1 << 16, overflows::incrementAndGet);
        io.switchboard.server.hub.Push p = push("{\"n\":1}");
        big.deliver(p);
        channel.runPendingTasks();
        ByteBuf f = channel.readOutbound();
        ByteBuf expected = p.frame(io.switchboard.protocol.WireFormat.JSON);
        assertThat(f).as("the push's own frame, header included").isEqualTo(expected);
        assertThat(f.getByte(f.readerIndex()) & 0xFF).as("FIN, text").isEqualTo(0x81);
        f.release();
        expected.release();
        assertThat((Object) channel.readOutbound()).isNull();
        p.release();
    }

    @Test
    void aPushBehindQueuedEnvelopesJoinsTheirBatchInOrder() {
        Outbound big = new Outbound(channel, 1 << 20, 1 << 16, overflows::incrementAndGet);
        big.deliver(frame("{\"a\":1}"));
        io.switchboard.server.hub.Push p = push("{\"n\":2}");
        big.deliver(p);
        p.release();
        assertThat(written()).containsExactly("[{\"a\":1},{\"v\":1,\"type\":\"message\",\"channel\":\"c\",\"payload\":{\"n\":2}}]");
    }

    @Test
    void pushesWrittenButNotOnTheSocketCountTowardsTheBound() {
        io.switchboard.server.hub.Push p = push("{\"pad\":\"" + "x".repeat(20) + "\"}"); // about 60 bytes: the 2nd passes 100
        out.deliver(p);
        assertThat(overflows).hasValue(0);
        out.deliver(p);
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
        p.release();
    }

    @Test
    void bytesWrittenButNotYetOnTheSocketCountTowardsTheBound() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // nothing more is written or flushed
        channel.write(Unpooled.wrappedBuffer(new byte[90])); // written, not on the socket
        long held = io.switchboard.server.util.Unsent.bytes(channel); // not flushed: 90 and Netty's overhead for it
        assertThat(held).isGreaterThanOrEqualTo(90);
        String one = "{\"n\":1}"; // 7 bytes
        Outbound bounded = new Outbound(channel, held + one.length(), 40, overflows::incrementAndGet);
        bounded.deliver(frame(one)); // queued here: exactly the bound, which is allowed
        channel.runPendingTasks();
        assertThat(overflows).hasValue(0);
        bounded.deliver(frame("{}")); // 2 more pass it
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
    }

    @Test
    void connectionsOfOneFormatAndOneSetOfBoundsShareTheirLimitsAndEachKeepsItsOwnBound() {
        var json = io.switchboard.protocol.WireFormat.JSON;
        var protobuf = io.switchboard.protocol.WireFormat.PROTOBUF;
        assertThat(Outbound.Limits.of(json, 100, 40)).isSameAs(Outbound.Limits.of(json, 100, 40));
        assertThat(Outbound.Limits.of(protobuf, 100, 40)).isNotSameAs(Outbound.Limits.of(json, 100, 40))
                .isEqualTo(new Outbound.Limits(protobuf, 100, 40));
        assertThat(Outbound.Limits.of(json, 200, 40)).isEqualTo(new Outbound.Limits(json, 200, 40));

        // made one after the other with other bounds, each keeps its own
        EmbeddedChannel tight = new EmbeddedChannel();
        EmbeddedChannel roomy = new EmbeddedChannel();
        AtomicInteger tightOverflows = new AtomicInteger();
        AtomicInteger roomyOverflows = new AtomicInteger();
        Outbound a = new Outbound(tight, 100, 40, tightOverflows::incrementAndGet);
        Outbound b = new Outbound(roomy, 1 << 20, 1 << 16, roomyOverflows::incrementAndGet);
        tight.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        roomy.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        for (int i = 0; i < 20; i++) {
            a.deliver(frame("{\"n\":" + i + "}"));
            b.deliver(frame("{\"n\":" + i + "}"));
        }
        tight.runPendingTasks();
        roomy.runPendingTasks();
        assertThat(tightOverflows).as("100 bytes").hasValue(1);
        assertThat(roomyOverflows).as("1 MiB").hasValue(0);
        assertThat(a.maxPendingBytes()).isEqualTo(100);
        assertThat(b.maxPendingBytes()).isEqualTo(1 << 20);
        b.close();
        tight.finishAndReleaseAll();
        roomy.finishAndReleaseAll();
    }
}
