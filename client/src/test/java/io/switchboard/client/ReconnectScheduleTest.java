package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The reconnect rule and the backoff schedule, on a fake network with a fake clock and seeded randomness. */
class ReconnectScheduleTest {

    final FakeTransport transport = new FakeTransport();
    final FakeScheduler clock = new FakeScheduler();
    final Recorder recorder = new Recorder();

    SwitchboardClient client(long seed) {
        return client(seed, b -> { });
    }

    SwitchboardClient client(long seed, Consumer<SwitchboardClientBuilder> extra) {
        SwitchboardClientBuilder b = SwitchboardClient.builder("ws://127.0.0.1:1/ws").token("t").transport(transport)
                .scheduler(clock).loopExecutor(Runnable::run).callbackExecutor(Runnable::run).random(new Random(seed))
                .listener(recorder);
        extra.accept(b);
        return b.build();
    }

    /** Follows a refused-every-time schedule for {@code attempts} retries and returns the delays, checking the clock. */
    List<Long> refusedSchedule(int attempts) {
        List<Long> delays = new ArrayList<>();
        for (int n = 0; n < attempts; n++) {
            Disconnect d = recorder.lastDisconnect();
            assertThat(d.willRetry()).isTrue();
            assertThat(d.code()).isEqualTo(1006);
            long ms = d.retryIn().toMillis();
            delays.add(ms);
            int before = transport.count();
            if (ms > 0) {
                clock.advanceMillis(ms - 1);
                assertThat(transport.count()).as("no attempt before the delay of retry %d is over", n).isEqualTo(before);
            }
            clock.advanceMillis(ms > 0 ? 1 : 0);
            assertThat(transport.count()).as("exactly one attempt once the delay is over").isEqualTo(before + 1);
        }
        return delays;
    }

    @Test
    void delaysGrowExponentiallyWithFullJitterAndAreBounded() {
        transport.refuseAll = true;
        client(42).connect();
        List<Long> delays = refusedSchedule(14);
        for (int n = 0; n < delays.size(); n++) {
            long ceiling = Math.min(20_000, 500L << n);
            assertThat(delays.get(n)).as("retry %d", n).isBetween(0L, ceiling - 1);
        }
        assertThat(recorder.events).contains("connecting 0", "connecting 1", "connecting 13");
    }

    @Test
    void theSameSeedGivesTheSameScheduleAndOtherSeedsSpreadIt() {
        transport.refuseAll = true;
        SwitchboardClient one = client(1);
        one.connect();
        List<Long> first = refusedSchedule(8);
        one.close();
        recorder.disconnects.clear();
        SwitchboardClient same = client(1);
        same.connect();
        List<Long> again = refusedSchedule(8);
        same.close();
        assertThat(again).isEqualTo(first);

        // 200 clients that lost the same server at the same moment: their attempt-3 delays (window 4 s)
        // must cover the window, not bunch up.
        List<Long> third = new ArrayList<>();
        for (long seed = 100; seed < 300; seed++) {
            recorder.disconnects.clear();
            SwitchboardClient c = client(seed);
            c.connect();
            third.add(refusedSchedule(4).get(3));
            c.close();
        }
        int[] buckets = new int[40]; // 100 ms each
        for (long d : third) {
            assertThat(d).isBetween(0L, 3_999L);
            buckets[(int) (d / 100)]++;
        }
        int fullest = 0;
        int empty = 0;
        for (int c : buckets) {
            fullest = Math.max(fullest, c);
            empty += c == 0 ? 1 : 0;
        }
        assertThat(fullest).as("most delays in one 100 ms window").isLessThanOrEqualTo(20); // 10 %; even spread is 5
        assertThat(empty).as("empty 100 ms windows").isLessThanOrEqualTo(4);
    }

    @Test
    void backoffStartsOverOnlyAfterAStableConnection() {
        SwitchboardClient c = client(3);
        c.connect();
        // Connections that die right after their welcome keep climbing the schedule.
        for (int n = 0; n < 5; n++) {
            transport.last().accept();
            clock.advanceMillis(1_000);
            transport.last().conn.drop();
            Disconnect d = recorder.lastDisconnect();
            assertThat(d.retryIn().toMillis()).as("retry %d", n).isLessThan(Math.min(20_000, 500L << n));
            clock.advance(d.retryIn());
        }
        assertThat(recorder.events).contains("connecting 4");
        // One that stays up longer than stableAfter (5 s) resets it.
        transport.last().accept();
        clock.advanceMillis(6_000);
        transport.last().conn.drop();
        assertThat(recorder.lastDisconnect().retryIn().toMillis()).isLessThan(500);
        clock.advance(recorder.lastDisconnect().retryIn());
        // The first retry after a reset is numbered 1, as after connect().
        assertThat(recorder.events.get(recorder.events.size() - 1)).isEqualTo("connecting 1");
    }

    @Test
    void oneLossSchedulesOneAttemptEvenWhenReportedTwice() {
        SwitchboardClient c = client(5);
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        conn.serverClose(1001, "server shutting down");
        conn.drop(); // a late report of the same socket
        assertThat(recorder.disconnects).hasSize(1);
        assertThat(recorder.lastDisconnect().code()).isEqualTo(1001);
        clock.advance(recorder.lastDisconnect().retryIn());
        assertThat(transport.count()).isEqualTo(2);
        transport.last().accept();
        assertThat(recorder.disconnects).hasSize(1);
        assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
    }

    @Test
    void codesFrom4500AreFinalAndReportTheServersReason() {
        SwitchboardClient c = client(9);
        var connected = c.connect();
        FakeTransport.Conn conn = transport.last().accept(null);
        conn.push("{\"v\":1,\"type\":\"error\",\"code\":\"unauthorized\",\"message\":\"the token was refused: bad signature\",\"retryable\":false}");
        conn.serverClose(4500, "");
        assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
        Disconnect d = recorder.closes.get(0);
        assertThat(d.code()).isEqualTo(4500);
        assertThat(d.willRetry()).isFalse();
        assertThat(d.reason()).contains("bad signature");
        assertThat(d.error().code()).isEqualTo("unauthorized");
        assertThat(connected).isCompletedExceptionally();
        clock.advanceMillis(600_000);
        assertThat(transport.count()).as("no retry after 4500").isEqualTo(1);
        assertThat(recorder.events).containsExactly("connecting 0", "error unauthorized", "disconnected 4500 final", "closed 4500");
    }

    @Test
    void closeCodesFollowTheReconnectRule() {
        int[] retry = {1001, 1006, 1011, 1012, 1013, 1014, 4000, 4001, 4002, 4003, 4005, 4499};
        int[] stop = {1000, 1002, 1007, 1009, 4500, 4501, 4502, 4999, 3000};
        for (int code : retry) {
            recorder.disconnects.clear();
            SwitchboardClient c = client(code);
            c.connect();
            transport.last().accept().serverClose(code, "x");
            assertThat(recorder.lastDisconnect().willRetry()).as("code %d", code).isTrue();
            c.close();
        }
        for (int code : stop) {
            recorder.disconnects.clear();
            SwitchboardClient c = client(code);
            c.connect();
            transport.last().accept().serverClose(code, "x");
            assertThat(recorder.lastDisconnect().willRetry()).as("code %d", code).isFalse();
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }

    @Test
    void anExpiredTokenIsRetriedOnlyWithASupplierThatIsAskedAgain() {
        SwitchboardClient fixed = client(11);
        fixed.connect();
        transport.last().accept().serverClose(4004, "token_expired");
        assertThat(fixed.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(recorder.lastDisconnect().reason()).contains("no token supplier");

        AtomicInteger asked = new AtomicInteger();
        SwitchboardClient supplied = client(12, b -> b.tokenSupplier(() -> "token-" + asked.incrementAndGet()));
        supplied.connect();
        assertThat(transport.last().token).isEqualTo("token-1");
        transport.last().accept().serverClose(4004, "token_expired");
        assertThat(recorder.lastDisconnect().willRetry()).isTrue();
        clock.advance(recorder.lastDisconnect().retryIn());
        assertThat(transport.last().token).isEqualTo("token-2");
    }

    @Test
    void aFailingTokenSupplierIsReportedAndRetried() {
        AtomicInteger asked = new AtomicInteger();
        SwitchboardClient c = client(13, b -> b.tokenSupplier(() -> {
            if (asked.incrementAndGet() == 1) {
                throw new IllegalStateException("identity provider down");
            }
            return "good";
        }));
        c.connect();
        assertThat(transport.count()).isZero();
        assertThat(recorder.errors).extracting(SwitchboardException::code).containsExactly(SwitchboardException.TOKEN_UNAVAILABLE);
        assertThat(recorder.lastDisconnect().willRetry()).isTrue();
        clock.advance(recorder.lastDisconnect().retryIn());
        assertThat(transport.last().token).isEqualTo("good");
    }

    @Test
    void aTokenThatWillExpireIsRefreshedOnTheLiveConnection() {
        AtomicInteger asked = new AtomicInteger();
        SwitchboardClient c = client(29, b -> b.tokenSupplier(() -> "token-" + asked.incrementAndGet()));
        c.connect();
        long expiresAt = System.currentTimeMillis() + 8_000; // refreshed at 3/4 of its life: after ~6 s
        FakeTransport.Conn conn = transport.last().accept(FakeTransport.WELCOME.replace("}}}",
                "},\"expiresAt\":" + expiresAt + "}}"));
        clock.advanceMillis(5_500);
        assertThat(conn.frames).isEmpty();
        clock.advanceMillis(1_000);
        assertThat(conn.lastSent().type()).isEqualTo(MessageType.REFRESH);
        assertThat(conn.lastSent().token()).isEqualTo("token-2");
        // The ack's new expiry starts the next round (lead capped at one minute).
        conn.push("{\"v\":1,\"type\":\"ack\",\"id\":" + conn.lastSent().id().text() + ",\"payload\":{\"expiresAt\":"
                + (System.currentTimeMillis() + 600_000) + "}}");
        for (int s = 0; s < 530; s += 10) {
            clock.advanceMillis(10_000);
            conn.push("{\"v\":1,\"type\":\"ping\"}"); // the server's heartbeat keeps the connection alive
        }
        assertThat(conn.sent()).filteredOn(e -> e.type() == MessageType.REFRESH).hasSize(1);
        clock.advanceMillis(20_000);
        assertThat(conn.sent()).filteredOn(e -> e.type() == MessageType.REFRESH).hasSize(2);
        assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
    }

    @Test
    void aSilentConnectionIsDeclaredDeadAfterIntervalPlusTimeout() {
        SwitchboardClient c = client(17);
        c.connect();
        String welcome = FakeTransport.WELCOME.replace("\"intervalMs\":25000,\"timeoutMs\":10000", "\"intervalMs\":1000,\"timeoutMs\":500");
        FakeTransport.Conn conn = transport.last().accept(welcome);
        // Frames (here server pings, answered with pongs) keep it alive however long it lasts.
        for (int i = 0; i < 10; i++) {
            clock.advanceMillis(1_000);
            conn.push("{\"v\":1,\"type\":\"ping\"}");
        }
        assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(conn.sent()).extracting(e -> e.type()).containsOnly(MessageType.PONG).hasSize(10);
        assertThat(conn.lastSent().id()).isNull();
        // Then silence: dead after 1000 + 500 ms, not before.
        clock.advanceMillis(1_499);
        assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
        clock.advanceMillis(2);
        assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(conn.aborted).isTrue();
        assertThat(recorder.lastDisconnect().code()).isEqualTo(4000);
        assertThat(recorder.lastDisconnect().reason()).contains("no frame from the server for 1500 ms");
        assertThat(recorder.lastDisconnect().willRetry()).isTrue();
    }

    @Test
    void aWelcomeThatNeverComesCountsAsAFailedAttempt() {
        SwitchboardClient c = client(19, b -> b.connectTimeout(Duration.ofSeconds(3)));
        c.connect();
        FakeTransport.Conn conn = transport.last().accept(null);
        clock.advanceMillis(2_999);
        assertThat(c.state()).isEqualTo(ConnectionState.CONNECTING);
        clock.advanceMillis(1);
        assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(conn.aborted).isTrue();
        assertThat(recorder.lastDisconnect().reason()).contains("no welcome");
    }

    @Test
    void closeStopsEverythingAndIsFinal() {
        SwitchboardClient c = client(23);
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        c.close();
        c.close();
        assertThat(conn.closedWith).isEqualTo(1000);
        assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(recorder.closes).hasSize(1);
        conn.drop();
        clock.advanceMillis(600_000);
        assertThat(transport.count()).isEqualTo(1);
        assertThat(c.connect()).isCompletedExceptionally();
    }
}
