package io.switchboard.server.hub;

import static io.switchboard.server.testing.Buffers.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A push as the hub shares it: its frame is a WebSocket frame that a real decoder reads back as the envelope,
 * at every header length; its envelope is the bytes the plain encoder makes; each format is encoded once and
 * each variant derived once, also when several threads ask at once; and everything is released at the end.
 */
class PushTest {

    static Envelope message(int payloadBytes) {
        String payload = "{\"pad\":\"" + "x".repeat(Math.max(0, payloadBytes - 10)) + "\"}";
        return Envelope.builder(MessageType.MESSAGE).channel("room:x").ts(1L).offset(3L).epoch("E")
                .payload(payload.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** What a client's decoder (Netty's, server frames are unmasked) reads from the bytes. */
    static WebSocketFrame decodeAsClient(ByteBuf bytes) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
        client.writeInbound(bytes);
        WebSocketFrame f = client.readInbound();
        assertThat((Object) client.readInbound()).as("exactly one frame").isNull();
        client.finishAndReleaseAll();
        return f;
    }

    @Test
    void theFrameIsOneWebSocketFrameHoldingTheEnvelopeAtEveryHeaderLength() {
        // 2-byte header up to 125, 4 bytes up to 65,535, 10 bytes beyond: each side of each boundary
        for (int size : new int[] {1, 40, 60, 200, 65_400, 65_600, 70_000}) {
            Envelope e = message(size);
            for (WireFormat format : WireFormat.values()) {
                Push push = new Push(PooledByteBufAllocator.DEFAULT, e, size);
                ByteBuf plain = Hub.encode(PooledByteBufAllocator.DEFAULT, format, e, size);
                ByteBuf envelope = push.envelope(format);
                assertThat(envelope).as("the envelope, %s, %d", format, size).isEqualTo(plain);
                assertThat(push.envelopeBytes(format)).isEqualTo(plain.readableBytes());
                WebSocketFrame f = decodeAsClient(push.frame(format));
                assertThat(f).isInstanceOf(format.text() ? TextWebSocketFrame.class : BinaryWebSocketFrame.class);
                assertThat(f.isFinalFragment()).isTrue();
                assertThat(f.rsv()).isZero();
                assertThat(f.content()).as("the frame's content, %s, %d", format, size).isEqualTo(plain);
                f.release();
                plain.release();
                envelope.release();
                push.release();
            }
        }
    }

    @Test
    void eachFormatIsEncodedOnceAndOnlyWhenAsked() {
        Push push = new Push(PooledByteBufAllocator.DEFAULT, message(20), 20);
        assertThat(push.encodings()).isZero();
        List<ByteBuf> views = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            views.add(push.frame(WireFormat.JSON));
            views.add(push.envelope(WireFormat.JSON));
        }
        assertThat(push.encodings()).isOne();
        views.add(push.envelope(WireFormat.PROTOBUF));
        assertThat(push.encodings()).isEqualTo(2);
        push.release();
        // the views outlive the push: a connection may still be writing them
        assertThat(views.get(0).toString(StandardCharsets.UTF_8)).contains("\"type\":\"message\"");
        views.forEach(ByteBuf::release);
        assertThat(views.get(0).refCnt()).as("the last view gave the bytes back").isZero();
    }

    @Test
    void aVariantIsDerivedOnceAmongThreadsAskingAtOnceAndReleasedWithThePush() throws Exception {
        Push push = new Push(PooledByteBufAllocator.DEFAULT, message(300), 300);
        AtomicInteger derived = new AtomicInteger();
        ByteBuf[] made = new ByteBuf[1];
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<ByteBuf> got = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                got.add(push.variant(WireFormat.JSON, b -> {
                    derived.incrementAndGet();
                    made[0] = Unpooled.copiedBuffer("z:" + b.readableBytes(), StandardCharsets.UTF_8);
                    return made[0];
                }));
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        assertThat(derived).hasValue(1);
        assertThat(got).hasSize(threads).allSatisfy(b ->
                assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("z:" + push.envelopeBytes(WireFormat.JSON)));
        push.release();
        assertThat(made[0].refCnt()).as("the holders' views keep it").isEqualTo(threads);
        got.forEach(ByteBuf::release);
        assertThat(made[0].refCnt()).isZero();
    }

    @Test
    void noVariantIsRememberedAsNone() {
        Push push = new Push(PooledByteBufAllocator.DEFAULT, message(30), 30);
        AtomicInteger derived = new AtomicInteger();
        assertThat(push.variant(WireFormat.JSON, b -> {
            derived.incrementAndGet();
            return null;
        })).isNull();
        assertThat(push.variant(WireFormat.JSON, b -> {
            derived.incrementAndGet();
            return null;
        })).isNull();
        assertThat(derived).hasValue(1);
        push.release();
    }

    @Test
    void aLoopsCopyHasTheSameBytesInBuffersOfItsOwnAndSharesTheVariants() {
        Push push = new Push(PooledByteBufAllocator.DEFAULT, message(80), 80);
        Push one = push.forOneLoop();
        Push other = push.forOneLoop();
        ByteBuf shared = push.frame(WireFormat.JSON);
        ByteBuf a = one.frame(WireFormat.JSON);
        ByteBuf b = other.frame(WireFormat.JSON);
        assertThat(a).isEqualTo(shared).isEqualTo(b); // the same bytes, header and envelope
        assertThat(root(a)).isNotSameAs(root(shared)).isNotSameAs(root(b)); // counted apart
        assertThat(one.envelopeBytes(WireFormat.JSON)).isEqualTo(push.envelopeBytes(WireFormat.JSON));

        AtomicInteger derived = new AtomicInteger();
        java.util.function.Function<ByteBuf, ByteBuf> derive = e -> {
            derived.incrementAndGet();
            return Unpooled.copiedBuffer("z", StandardCharsets.UTF_8);
        };
        ByteBuf z1 = one.variant(WireFormat.JSON, derive);
        ByteBuf z2 = other.variant(WireFormat.JSON, derive);
        assertThat(derived).as("compressed once for the node, not once per loop").hasValue(1);

        ByteBuf loopBuffer = root(a);
        ByteBuf sharedBuffer = root(shared);
        one.release();
        other.release();
        assertThat(loopBuffer.refCnt()).as("a delivery's view keeps its loop's buffer after the copy is released").isEqualTo(1);
        assertThat(sharedBuffer.refCnt()).as("the push's own reference and the view").isEqualTo(2);
        assertThat(push.frame(WireFormat.JSON)).as("the shared push is untouched").isEqualTo(shared).matches(ByteBuf::release);
        for (ByteBuf x : new ByteBuf[] {a, b, shared, z1, z2}) {
            x.release();
        }
        assertThat(loopBuffer.refCnt()).isZero();
        assertThat(root(z1).refCnt()).as("the variant stays with the shared push").isEqualTo(1);
        push.release();
        assertThat(sharedBuffer.refCnt()).isZero();
    }

    @Test
    void aDerivedFrameIsMadeOncePerKeyForEveryLoopAndReleasedWithThePush() {
        Push push = new Push(PooledByteBufAllocator.DEFAULT, message(50), 50);
        Push loopCopy = push.forOneLoop();
        AtomicInteger made = new AtomicInteger();
        List<ByteBuf> frames = new ArrayList<>();
        java.util.function.Function<Envelope, ByteBuf> make = e -> {
            made.incrementAndGet();
            ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer();
            f.writeCharSequence(e.channel() + " " + made.get(), StandardCharsets.UTF_8);
            frames.add(f);
            return f;
        };
        ByteBuf first = push.derivedFrame("news", make);
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("room:x 1");
        assertThat(push.derivedFrame("news", make)).as("the same key: the same frame").isSameAs(first);
        assertThat(loopCopy.derivedFrame("news", make)).as("a loop's copy asks the shared push").isSameAs(first);
        ByteBuf other = push.derivedFrame("sport", make);
        assertThat(other).isNotSameAs(first);
        assertThat(other.toString(StandardCharsets.UTF_8)).isEqualTo("room:x 2");
        assertThat(push.derivedFrame("none", e -> null)).isNull();
        assertThat(push.derivedFrame("none", make)).as("none is remembered too").isNull();
        assertThat(made).hasValue(2);
        ByteBuf kept = first.retainedDuplicate(); // a connection that queued it
        loopCopy.release();
        assertThat(first.refCnt()).as("a loop's copy does not own the shared push's frames").isEqualTo(2);
        push.release();
        assertThat(frames).allSatisfy(f -> assertThat(f.refCnt()).isLessThanOrEqualTo(1));
        assertThat(other.refCnt()).isZero();
        assertThat(kept.toString(StandardCharsets.UTF_8)).isEqualTo("room:x 1");
        kept.release();
        assertThat(first.refCnt()).isZero();
    }
}
