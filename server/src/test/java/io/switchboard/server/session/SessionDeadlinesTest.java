package io.switchboard.server.session;

import static io.switchboard.server.session.SessionDeadlines.NEVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.session.SessionDeadlines.Due;
import org.junit.jupiter.api.Test;

/** The session timer's rules, as a function of its deadlines: what fires, in which precedence, and when next. */
class SessionDeadlinesTest {

    @Test
    void anOpenSessionPingsWhenItsIntervalIsUpAndNotBefore() {
        assertThat(SessionDeadlines.due(999, false, 0, 0, NEVER, 1000)).isEqualTo(Due.NOTHING);
        assertThat(SessionDeadlines.due(1000, false, 0, 0, NEVER, 1000)).isEqualTo(Due.PING);
        assertThat(SessionDeadlines.next(false, 0, 0, NEVER, 1000)).isEqualTo(1000);
    }

    @Test
    void anUnansweredPingOutranksExpiryAndTheNextPing() {
        assertThat(SessionDeadlines.due(5000, false, 0, 4000, 4500, 4800)).isEqualTo(Due.PONG_TIMEOUT);
        assertThat(SessionDeadlines.due(3999, false, 0, 4000, NEVER, 9000)).isEqualTo(Due.NOTHING);
        assertThat(SessionDeadlines.next(false, 0, 4000, NEVER, 9000)).isEqualTo(4000);
    }

    @Test
    void anExpiredTokenOutranksThePingAndATokenWithoutExpiryNeverExpires() {
        assertThat(SessionDeadlines.due(2000, false, 0, 0, 1500, 1800)).isEqualTo(Due.TOKEN_EXPIRED);
        assertThat(SessionDeadlines.due(Long.MAX_VALUE - 1, false, 0, 0, NEVER, NEVER)).isEqualTo(Due.NOTHING);
        assertThat(SessionDeadlines.next(false, 0, 0, 1500, 1800)).isEqualTo(1500);
    }

    @Test
    void theFirstPingFallsInTheSecondHalfOfTheFirstIntervalSpreadOverIt() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(16);
        long interval = 25_000;
        long half = interval / 2;
        long[] perTenth = new long[10];
        for (int i = 0; i < 10_000; i++) {
            long at = SessionDeadlines.firstPing(1_000, interval, 50, random);
            // a grain before the interval's end at the latest: fired up to a grain late, it is still inside
            assertThat(at).isBetween(1_000 + half, 1_000 + interval - 50);
            perTenth[(int) Math.min(9, (at - 1_000 - half) * 10 / half)]++;
        }
        // Spread, not bunched: each tenth of that half gets about a tenth of 10,000 sessions.
        assertThat(java.util.Arrays.stream(perTenth).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(800L, 1_200L));
    }

    @Test
    void thePingsAreSpacedAGrainShortOfTheIntervalAndNeverZero() {
        assertThat(SessionDeadlines.pingSpacing(25_000, 50)).isEqualTo(24_950);
        assertThat(SessionDeadlines.pingSpacing(1, 1)).isEqualTo(1);
        // the tiniest interval still has a first ping at or after its start
        assertThat(SessionDeadlines.firstPing(1_000, 1, 1, new java.util.SplittableRandom(1))).isEqualTo(1_000);
    }

    @Test
    void aClosingSessionWaitsForItsCloseDeadlineOnly() {
        // Every other deadline has passed; only the close deadline counts while closing.
        assertThat(SessionDeadlines.due(100, true, 200, 50, 50, 50)).isEqualTo(Due.NOTHING);
        assertThat(SessionDeadlines.due(200, true, 200, 50, 50, 50)).isEqualTo(Due.CLOSE_DEADLINE);
        assertThat(SessionDeadlines.next(true, 200, 50, 50, 50)).isEqualTo(200);
    }
}
