package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A session's heartbeat state: the ping schedule, the pong deadline, and the answer to a WebSocket ping. */
class HeartbeatTest {

    private static final class Beat extends Heartbeat {
        @Override
        protected void timerFired() {
        }
    }

    @Test
    void thePongDeadlineCountsFromTheOldestUnansweredPingAndAnAnswerClearsIt() {
        Beat beat = new Beat();
        beat.startHeartbeat(1_000, 20_000, 50);
        assertThat(beat.nextPingAt()).isBetween(11_000L, 20_950L);
        assertThat(beat.pongDeadline()).isZero();

        beat.pinged(21_000, 20_000, 10_000);
        assertThat(beat.pongDeadline()).isEqualTo(31_000);
        assertThat(beat.nextPingAt()).isEqualTo(41_000);

        beat.pinged(41_000, 20_000, 10_000); // still unanswered: the first ping's deadline stands
        assertThat(beat.pongDeadline()).isEqualTo(31_000);
        assertThat(beat.nextPingAt()).isEqualTo(61_000);

        beat.ponged();
        assertThat(beat.pongDeadline()).isZero();
        beat.pinged(61_000, 20_000, 10_000);
        assertThat(beat.pongDeadline()).isEqualTo(71_000);
    }

    @Test
    void aWebSocketPingIsAnsweredOnceWithTheLatestPingsDataAndNotAtAllWhenNotAllowed() {
        EmbeddedChannel channel = new EmbeddedChannel(); // the pong is written as a whole frame's bytes
        Beat beat = new Beat();
        ByteBuf first = Unpooled.copiedBuffer("first", StandardCharsets.US_ASCII);
        ByteBuf latest = Unpooled.copiedBuffer("latest", StandardCharsets.US_ASCII);
        beat.protocolPing(first);
        beat.protocolPing(latest);
        first.release();
        latest.release();
        assertThat(first.refCnt()).isZero(); // the replaced ping's data is let go

        beat.answerProtocolPing(channel, true);
        beat.answerProtocolPing(channel, true); // owed once
        ByteBuf written = channel.readOutbound();
        assertThat(written.toString(StandardCharsets.US_ASCII)).endsWith("latest");
        assertThat(written.getByte(0) & 0x0f).isEqualTo(0xA); // a pong frame
        written.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(latest.refCnt()).isZero();

        ByteBuf unanswered = Unpooled.copiedBuffer("closing", StandardCharsets.US_ASCII);
        beat.protocolPing(unanswered);
        unanswered.release();
        beat.answerProtocolPing(channel, false); // the close went out: nothing may follow it
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(unanswered.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void releasingForgetsAPingNotAnswered() {
        Beat beat = new Beat();
        ByteBuf data = Unpooled.copiedBuffer("gone", StandardCharsets.US_ASCII);
        beat.protocolPing(data);
        data.release();
        assertThat(data.refCnt()).isEqualTo(1); // held for the answer
        beat.releaseProtocolPing();
        assertThat(data.refCnt()).isZero();
        beat.releaseProtocolPing(); // twice is harmless
    }
}
