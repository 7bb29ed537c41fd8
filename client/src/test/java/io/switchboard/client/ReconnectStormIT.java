package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 200 clients lose their server at the same instant (SIGKILL) and it comes back on the same port: they
 * must come back spread over time by their jittered backoff, not as one burst.
 */
class ReconnectStormIT {

    static final int CLIENTS = 200;

    /** Times (System.nanoTime) of one client's connection attempts and welcomes. */
    static final class Times implements ConnectionListener {
        final List<Long> attempts = new CopyOnWriteArrayList<>();
        final List<Long> welcomes = new CopyOnWriteArrayList<>();

        @Override
        public void onConnecting(int attempt) {
            attempts.add(System.nanoTime());
        }

        @Override
        public void onConnected(Welcome welcome) {
            welcomes.add(System.nanoTime());
        }

        /** Start of the attempt that led to the second welcome. */
        long reconnectAttempt() {
            long welcome = welcomes.get(1);
            long last = -1;
            for (long a : attempts) {
                if (a <= welcome) {
                    last = a;
                }
            }
            return last;
        }
    }

    @Test
    void aCrowdComesBackSpreadOverTimeNotInOneBurst() throws Exception {
        // One HttpClient (one selector thread) serves all 200 sockets.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ServerProcess server = ServerProcess.start()) {
            List<SwitchboardClient> clients = new ArrayList<>();
            List<Times> times = new ArrayList<>();
            try {
                List<CompletableFuture<Welcome>> connected = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Times t = new Times();
                    SwitchboardClient c = SwitchboardClient.builder(server.url()).token(ServerProcess.token("u" + i))
                            .httpClient(http).reconnectDelay(Duration.ofMillis(500), Duration.ofSeconds(5))
                            .connectTimeout(Duration.ofSeconds(15)).listener(t).build();
                    c.subscribe("storm", m -> { });
                    clients.add(c);
                    times.add(t);
                    connected.add(c.connect());
                }
                CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

                long killedAt = System.nanoTime();
                server.kill();
                Thread.sleep(1_000); // down for a while, as a real crash would be; every client is retrying now
                server.launch();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> times.stream().allMatch(t -> t.welcomes.size() >= 2));

                List<Long> attempts = new ArrayList<>();
                List<Long> welcomes = new ArrayList<>();
                for (Times t : times) {
                    attempts.add(t.reconnectAttempt() - killedAt);
                    welcomes.add(t.welcomes.get(1) - killedAt);
                }
                double attemptPeak = peakShare(attempts);
                double welcomePeak = peakShare(welcomes);
                long spreadMs = TimeUnit.NANOSECONDS.toMillis(Collections.max(attempts) - Collections.min(attempts));
                System.out.printf("reconnect storm: %d clients, successful attempts spread over %d ms, busiest 100 ms holds"
                        + " %.0f%% of attempts and %.0f%% of welcomes%n", CLIENTS, spreadMs, attemptPeak * 100, welcomePeak * 100);
                // Clients that came back together (no jitter) would put ~100% into one window. With full jitter
                // over windows of 0.5-5 s, the busiest window holds about 10-15%. Welcomes are only reported:
                // a freshly started server answers its first handshakes slowly, which bunches them up.
                assertThat(attemptPeak).as("share of successful reconnect attempts in the busiest 100 ms").isLessThanOrEqualTo(0.30);
                assertThat(spreadMs).as("time from the first to the last successful reconnect attempt").isGreaterThan(1_000);
            } finally {
                clients.forEach(SwitchboardClient::close);
            }
        }
    }

    /** The largest share of {@code nanos} that falls within any 100 ms window. */
    static double peakShare(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int best = 0;
        int lo = 0;
        for (int hi = 0; hi < sorted.size(); hi++) {
            while (sorted.get(hi) - sorted.get(lo) > TimeUnit.MILLISECONDS.toNanos(100)) {
                lo++;
            }
            best = Math.max(best, hi - lo + 1);
        }
        return (double) best / sorted.size();
    }
}
