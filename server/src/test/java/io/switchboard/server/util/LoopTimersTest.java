package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.server.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event loop's timers on an EmbeddedChannel's loop, with the node's clock and the loop's time moved
 * together: each fires at its due time and not a millisecond before, in due order, once; moving and
 * disarming; a timer that throws; and many timers armed and moved at random against a sorted list.
 */
class LoopTimersTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-03T12:00:00Z"));
    final LoopTimers timers = new LoopTimers(channel.eventLoop(), clock);
    final List<String> fired = new ArrayList<>();

    final class Conn extends LoopTimers.Timer {
        final String name;
        Runnable then = () -> { };

        Conn(String name) {
            this.name = name;
        }

        @Override
        protected void timerFired() {
            fired.add(name);
            then.run();
        }
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    long now() {
        return clock.millis();
    }

    @Test
    void withAGrainTimersDueWithinOneFireTogetherAtItsEndAndNoneBeforeItsDueTime() {
        LoopTimers grained = new LoopTimers(channel.eventLoop(), clock, 50);
        advance(50 - Math.floorMod(now(), 50)); // onto a multiple of 50
        long t0 = now();
        Conn a = new Conn("a");
        Conn b = new Conn("b");
        Conn c = new Conn("c");
        grained.arm(a, t0 + 1);
        grained.arm(b, t0 + 49);
        grained.arm(c, t0 + 50);
        advance(49); // b is due, but the grain has not ended
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly("a", "b", "c");
        Conn d = new Conn("d");
        grained.arm(d, now() + 51); // just past the next grain: the one after
        advance(50);
        assertThat(fired).hasSize(3);
        advance(50);
        assertThat(fired).containsExactly("a", "b", "c", "d");
        assertThat(grained.size()).isZero();
    }

    @Test
    void aGrainUnderOneMillisecondIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoopTimers(channel.eventLoop(), clock, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grain");
    }

    @Test
    void eachFiresAtItsDueTimeNotBeforeAndInDueOrder() {
        Conn a = new Conn("a");
        Conn b = new Conn("b");
        Conn c = new Conn("c");
        timers.arm(c, now() + 300);
        timers.arm(a, now() + 100);
        timers.arm(b, now() + 200);
        advance(99);
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly("a");
        assertThat(a.timerArmed()).as("no longer armed").isFalse();
        advance(250);
        assertThat(fired).containsExactly("a", "b", "c");
        assertThat(timers.size()).isZero();
        advance(1000);
        assertThat(fired).as("once each").hasSize(3);
    }

    @Test
    void armingAgainMovesTheTimerEarlierOrLaterAndDisarmingDropsIt() {
        Conn a = new Conn("a");
        Conn b = new Conn("b");
        timers.arm(a, now() + 500);
        timers.arm(b, now() + 600);
        timers.arm(a, now() + 50); // earlier than the run planned for 500
        assertThat(timers.dueAt(a)).isEqualTo(now() + 50);
        advance(50);
        assertThat(fired).containsExactly("a");
        timers.arm(b, now() + 1000); // later
        advance(600);
        assertThat(fired).containsExactly("a");
        timers.disarm(b);
        assertThat(timers.dueAt(b)).isEqualTo(-1);
        Conn sentinel = new Conn("sentinel");
        timers.arm(sentinel, now() + 500); // after the time b had
        advance(500);
        assertThat(fired).as("b was disarmed; the sentinel fired after its time").containsExactly("a", "sentinel");
    }

    @Test
    void aTimerMayArmAgainWhenItFiresAndOneThatThrowsStopsNoOther() {
        Conn ping = new Conn("ping");
        ping.then = () -> timers.arm(ping, now() + 100);
        Conn bad = new Conn("bad");
        bad.then = () -> {
            throw new IllegalStateException("boom");
        };
        Conn after = new Conn("after");
        timers.arm(ping, now() + 100);
        timers.arm(bad, now() + 100);
        timers.arm(after, now() + 100);
        advance(100);
        assertThat(fired).containsExactlyInAnyOrder("ping", "bad", "after");
        advance(100);
        assertThat(fired).containsExactlyInAnyOrder("ping", "bad", "after", "ping");
    }

    @Test
    void manyTimersArmedAndMovedAtRandomFireInDueOrder() {
        Random random = new Random(42);
        List<Conn> conns = new ArrayList<>();
        java.util.Map<String, Long> dueOf = new java.util.HashMap<>();
        for (int i = 0; i < 2000; i++) {
            Conn c = new Conn("c" + i);
            conns.add(c);
            long at = now() + 1 + random.nextInt(10_000);
            timers.arm(c, at);
            dueOf.put(c.name, at);
        }
        for (int i = 0; i < 3000; i++) { // move some, disarm some
            Conn c = conns.get(random.nextInt(conns.size()));
            if (random.nextInt(5) == 0) {
                timers.disarm(c);
                dueOf.remove(c.name);
            } else {
                long at = now() + 1 + random.nextInt(10_000);
                timers.arm(c, at);
                dueOf.put(c.name, at);
            }
        }
        assertThat(timers.size()).isEqualTo(dueOf.size());
        List<Long> firedAt = new ArrayList<>();
        for (int t = 0; t < 10_001; t += 7) {
            advance(7);
            while (firedAt.size() < fired.size()) {
                long at = dueOf.get(fired.get(firedAt.size()));
                assertThat(at).as("not before its time").isLessThanOrEqualTo(now());
                assertThat(at).as("within the step it fell in").isGreaterThan(now() - 7);
                firedAt.add(at);
            }
        }
        assertThat(fired).hasSize(dueOf.size()).doesNotHaveDuplicates();
        assertThat(firedAt).isSortedAccordingTo(Comparator.naturalOrder());
    }
}
