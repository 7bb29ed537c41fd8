package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static List<Long> scan(String s) {
        List<Long> out = new ArrayList<>();
        int n = Frames.scanSent(buf(s), out::add);
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void oneDeliveryPerSentStampEvenInABatch() {
        String one = "{\"v\":1,\"type\":\"message\",\"channel\":\"c\",\"ts\":5,\"payload\":{\"sent\":123456789,\"pad\":\"xx\"}}";
        assertThat(scan(one)).containsExactly(123456789L);
        assertThat(scan("[" + one + "," + one.replace("123456789", "42") + "]")).containsExactly(123456789L, 42L);
        assertThat(scan("42[\"message\",\"c\",{\"sent\":7,\"pad\":\"x\"}]")).containsExactly(7L);
    }

    @Test
    void aPusherEventsStampIsFoundInsideItsStringData() {
        String event = "{\"event\":\"bench\",\"channel\":\"fanout\",\"data\":\"{\\\"sent\\\":987,\\\"pad\\\":\\\"xx\\\"}\"}";
        java.util.List<Long> found = new java.util.ArrayList<>();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.copiedBuffer(event, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Frames.scanSent(buf, Frames.SENT_IN_STRING, found::add)).isEqualTo(1);
        assertThat(found).containsExactly(987L);
        assertThat(Frames.scanSent(buf, found::add)).as("the plain stamp is not in a string's escaped form").isZero();
        buf.release();
        assertThat(PusherTrigger.quote(Frames.payload(5, 40))).contains("\\\"sent\\\":5");
    }

    @Test
    void framesWithoutAStampCountNothing() {
        assertThat(scan("{\"v\":1,\"type\":\"ack\",\"id\":\"s\"}")).isEmpty();
        assertThat(scan("{\"sent\":\"not a number\"}")).isEmpty();
        assertThat(scan("")).isEmpty();
    }

    @Test
    void negativeStampsAreKept() {
        // System.nanoTime() may be negative; latency is still now minus it.
        assertThat(scan("{\"sent\":-17}")).containsExactly(-17L);
    }

    @Test
    void scanningHonoursTheReaderIndex() {
        ByteBuf b = buf("{\"sent\":1}{\"sent\":2}");
        b.skipBytes(10);
        List<Long> out = new ArrayList<>();
        Frames.scanSent(b, out::add);
        assertThat(out).containsExactly(2L);
    }

    @Test
    void payloadHasTheAskedSizeAndItsStamp() {
        String p = Frames.payload(1234, 100);
        assertThat(p).hasSize(100).startsWith("{\"sent\":1234,");
        assertThat(scan(p)).containsExactly(1234L);
    }

    @Test
    void containsAndStartsWith() {
        ByteBuf b = buf("430[\"ok\"]");
        assertThat(Frames.startsWith(b, Frames.ascii("43"))).isTrue();
        assertThat(Frames.startsWith(b, Frames.ascii("42"))).isFalse();
        assertThat(Frames.contains(b, Frames.ascii("\"ok\""))).isTrue();
        assertThat(Frames.contains(b, Frames.ascii("\"no\""))).isFalse();
    }
}
