package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.server.testing.Written;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frames a session writes as bytes, read back by Netty's own frame decoder as a client would read them:
 * every length form at its edges, the RSV bits, the one-buffer and two-buffer ways of writing, and close
 * frames whose reason must be cut to fit a control frame.
 */
class ServerFramesTest {

    final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void everyLengthFormReadsBackAsTheSamePayload() {
        for (int n : new int[] {0, 1, 125, 126, 127, 1024, 1025, 65535, 65536, 70000}) {
            byte[] payload = new byte[n];
            Arrays.fill(payload, (byte) 'a');
            if (n > 0) {
                payload[n - 1] = 'z';
            }
            ServerFrames.write(channel, ServerFrames.TEXT, 0, Unpooled.wrappedBuffer(payload));
            channel.flush();
            List<WebSocketFrame> frames = Written.frames(channel);
            assertThat(frames).as("%d bytes", n).hasSize(1);
            WebSocketFrame f = frames.get(0);
            assertThat(f).isInstanceOf(TextWebSocketFrame.class);
            assertThat(f.isFinalFragment()).isTrue();
            assertThat(f.rsv()).isZero();
            assertThat(ByteBufUtil.getBytes(f.content())).as("%d bytes", n).isEqualTo(payload);
            f.release();
        }
    }

    @Test
    void theHeaderHasTheSizeTheLengthNeeds() {
        assertThat(ServerFrames.headerBytes(125)).isEqualTo(2);
        assertThat(ServerFrames.headerBytes(126)).isEqualTo(4);
        assertThat(ServerFrames.headerBytes(65535)).isEqualTo(4);
        assertThat(ServerFrames.headerBytes(65536)).isEqualTo(10);
    }

    @Test
    void aSmallFrameIsOneBufferAndALargeOneIsItsHeaderThenThePayloadItself() {
        ByteBuf small = Unpooled.wrappedBuffer(new byte[1024]);
        ServerFrames.write(channel, ServerFrames.BINARY, 0, small);
        channel.flush();
        assertThat(small.refCnt()).as("copied, then released").isZero();
        ByteBuf one = channel.readOutbound();
        assertThat(one.readableBytes()).isEqualTo(4 + 1024);
        assertThat(one.getByte(0) & 0xFF).as("FIN, binary").isEqualTo(0x82);
        one.release();
        assertThat((Object) channel.readOutbound()).isNull();

        ByteBuf large = Unpooled.wrappedBuffer(new byte[1025]);
        ServerFrames.write(channel, ServerFrames.BINARY, 0, large);
        channel.flush();
        ByteBuf header = channel.readOutbound();
        ByteBuf payload = channel.readOutbound();
        assertThat(header.readableBytes()).isEqualTo(4);
        assertThat(payload).as("the payload goes out as it is, not copied").isSameAs(large);
        header.release();
        payload.release();
    }

    @Test
    void theRsvBitsAreSetAsNettyNumbersThem() {
        ServerFrames.write(channel, ServerFrames.BINARY, 0x4, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        channel.flush();
        WebSocketFrame f = Written.frames(channel).get(0);
        assertThat(f).isInstanceOf(BinaryWebSocketFrame.class);
        assertThat(f.rsv()).as("RSV1").isEqualTo(0x4);
        f.release();
    }

    @Test
    void aCloseFrameCarriesItsCodeAndReason() {
        channel.writeOutbound(ServerFrames.close(channel.alloc(), 4100, "slow consumer"));
        CloseWebSocketFrame f = (CloseWebSocketFrame) Written.frames(channel).get(0);
        assertThat(f.statusCode()).isEqualTo(4100);
        assertThat(f.reasonText()).isEqualTo("slow consumer");
        f.release();
    }

    @Test
    void aCloseFrameWithoutAReasonCarriesItsCodeAlone() {
        channel.writeOutbound(ServerFrames.close(channel.alloc(), 1000, null));
        CloseWebSocketFrame f = (CloseWebSocketFrame) Written.frames(channel).get(0);
        assertThat(f.statusCode()).isEqualTo(1000);
        assertThat(f.content().readableBytes()).as("the code's two bytes").isEqualTo(2);
        f.release();
    }

    @Test
    void aLongReasonIsCutToFitAControlFrameAndNeverInsideACharacter() throws Exception {
        String reason = "é".repeat(100); // 200 bytes of UTF-8
        channel.writeOutbound(ServerFrames.close(channel.alloc(), 1000, reason));
        CloseWebSocketFrame f = (CloseWebSocketFrame) Written.frames(channel).get(0);
        assertThat(f.content().readableBytes()).isLessThanOrEqualTo(125);
        assertThat(f.reasonText()).isEqualTo("é".repeat(61)); // 2 + 122 bytes; a 62nd would need bytes 124 and 125
        String strict = StandardCharsets.UTF_8.newDecoder().decode(f.content().nioBuffer(2, f.content().readableBytes() - 2)).toString();
        assertThat(strict).as("valid UTF-8 throughout").isEqualTo(f.reasonText());
        f.release();
    }

    @Test
    void aPongCarriesThePingsDataWhichStaysTheCallers() {
        ByteBuf data = Unpooled.copiedBuffer("are you there", StandardCharsets.UTF_8);
        channel.writeOutbound(ServerFrames.pong(channel.alloc(), data));
        PongWebSocketFrame f = (PongWebSocketFrame) Written.frames(channel).get(0);
        assertThat(f.content().toString(StandardCharsets.UTF_8)).isEqualTo("are you there");
        assertThat(data.refCnt()).isEqualTo(1);
        data.release();
        f.release();
    }
}
