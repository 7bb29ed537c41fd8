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
    void aClosingSessionWaitsForItsCloseDeadlineOnly() {
        // Every other deadline has passed; only the close deadline counts while closing.
        assertThat(SessionDeadlines.due(100, true, 200, 50, 50, 50)).isEqualTo(Due.NOTHING);
        assertThat(SessionDeadlines.due(200, true, 200, 50, 50, 50)).isEqualTo(Due.CLOSE_DEADLINE);
        assertThat(SessionDeadlines.next(true, 200, 50, 50, 50)).isEqualTo(200);
    }
}
