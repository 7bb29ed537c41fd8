package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.server.testing.Written;
import java.util.List;
import io.switchboard.protocol.CloseCode;
import org.junit.jupiter.api.Test;

/**
 * The closing handshake on Netty's EmbeddedChannel: which close frame goes out when, that it goes out once,
 * and that a close frame that never left resets the connection at the deadline.
 */
class ClosingHandshakeTest {

    final EmbeddedChannel channel = new EmbeddedChannel();

    /** The one frame written since the last call, read back from its bytes: a close frame. */
    CloseWebSocketFrame written() {
        List<WebSocketFrame> frames = Written.frames(channel);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).isInstanceOf(CloseWebSocketFrame.class);
        return (CloseWebSocketFrame) frames.get(0);
    }

    @Test
    void ourCloseGoesOutAtOnceWithItsCodeAndReason() {
        ClosingHandshake h = ClosingHandshake.ours(channel, CloseCode.SLOW_CONSUMER, 1234);

        CloseWebSocketFrame f = written();
        assertThat(f.statusCode()).isEqualTo(CloseCode.SLOW_CONSUMER.code());
        assertThat(f.reasonText()).isEqualTo(CloseCode.SLOW_CONSUMER.reason());
        f.release();
        assertThat(h.sent()).isTrue();
        assertThat(h.code()).isEqualTo(CloseCode.SLOW_CONSUMER.code());
        assertThat(h.answersOurs()).isTrue();
        assertThat(h.awaitingAnswer()).isFalse();
        assertThat(h.deadline()).isEqualTo(1234);
        assertThat(channel.isOpen()).isTrue(); // the client gets its time to answer
    }

    @Test
    void theClientsCloseIsAnsweredOnceWithNormalClosureAndTheSocketCloses() {
        ClosingHandshake h = ClosingHandshake.theirs(channel, 4321, 99);
        assertThat((Object) channel.readOutbound()).isNull(); // the replies in flight go first
        assertThat(h.awaitingAnswer()).isTrue();
        assertThat(h.answersOurs()).isFalse();
        assertThat(h.code()).isEqualTo(4321);

        h.answer();
        h.answer();

        CloseWebSocketFrame f = written();
        assertThat(f.statusCode()).isEqualTo(CloseCode.NORMAL.code());
        f.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(h.sent()).isTrue();
        assertThat(h.awaitingAnswer()).isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void atTheDeadlineAWrittenCloseEndsTheSocketQuietly() {
        ClosingHandshake h = ClosingHandshake.ours(channel, CloseCode.GOING_AWAY, 0);
        written().release();

        assertThat(h.expire()).isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void atTheDeadlineACloseThatNeverLeftResetsTheConnection() {
        EmbeddedChannel stuck = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                // a client that stopped reading: the write never completes
            }
        });
        ClosingHandshake h = ClosingHandshake.ours(stuck, CloseCode.SLOW_CONSUMER, 0);

        assertThat(h.expire()).isTrue();
        assertThat(stuck.isOpen()).isFalse();
    }
}
