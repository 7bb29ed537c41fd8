package io.switchboard.server.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many clients drop and come back at random times while a publisher keeps going. On every connection
 * the messages a client gets must run exactly from its position: since+1 when recovery succeeded, the
 * ack's offset+1 otherwise; no gap, no duplicate, in order. Every "recovered": false must be one the
 * retention (30 messages) justifies. Across a whole client's life, with recovery succeeding, it sees
 * each offset once.
 */
class RandomisedRecoveryIT {

    static final int CLIENTS = 12;
    static final int HISTORY = 30;
    static final Duration RUN = Duration.ofSeconds(4);

    @Test
    void everyClientSeesTheStreamExactlyOnceWheneverRecoverySucceeds() throws Exception {
        Namespaces ns = Namespaces.builder().put(NamespaceConfig.plain("rnd").withHistory(HISTORY, Duration.ofMinutes(10))).build();
        try (TestServer node = TestServer.start(TestServer.config().namespaces(ns))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger published = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            Future<?> publisher = pool.submit(() -> {
                try (WsClient pub = node.client("publisher")) {
                    while (running.get()) {
                        pub.command("publish", "rnd:feed", "\"payload\":" + published.incrementAndGet());
                        Thread.sleep(4);
                        pub.received.clear();
                    }
                }
                return null;
            });
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                long seed = 1000L + i;
                String user = "c" + i;
                results.add(pool.submit(() -> runClient(node, user, new Random(seed), running)));
            }
            Thread.sleep(RUN.toMillis());
            running.set(false);
            publisher.get(30, TimeUnit.SECONDS);
            int recoveries = 0;
            int refusals = 0;
            for (Future<int[]> r : results) {
                int[] counts = r.get(60, TimeUnit.SECONDS);
                recoveries += counts[0];
                refusals += counts[1];
            }
            pool.shutdownNow();
            System.out.printf("randomised recovery: %d published, %d recoveries, %d legitimate refusals%n",
                    published.get(), recoveries, refusals);
            // The run must actually exercise both outcomes for its checks to mean something.
            assertThat(published.get()).isGreaterThan(200);
            assertThat(recoveries).isGreaterThan(CLIENTS);
            assertThat(refusals).isPositive();
        }
    }

    /** Returns {successful recoveries, legitimate refusals}; throws on any violation. */
    private static int[] runClient(TestServer node, String user, Random rnd, AtomicBoolean running) throws Exception {
        String epoch = null;
        long last = -1;
        int recovered = 0;
        int refused = 0;
        while (running.get()) {
            try (WsClient c = node.client(user)) {
                String extra = epoch == null ? null : RecoveryIT.since(epoch, last);
                Envelope ack = c.call("subscribe", "rnd:feed", extra);
                assertThat(ack.type()).as("subscribe answered with an ack: %s", ack).isEqualTo(MessageType.ACK);
                String text = ack.payloadText();
                long top = RecoveryIT.offsetOf(ack);
                long next;
                if (text.contains("\"recovered\":true")) {
                    assertThat(epoch).isNotNull();
                    recovered++;
                    next = last + 1;
                } else {
                    if (epoch != null) {
                        // Legitimate only when the gap is beyond the retained count.
                        assertThat(text).contains("\"reason\":\"out_of_retention\"");
                        assertThat(top - last).as("gap of a refused recovery").isGreaterThan(HISTORY);
                        refused++;
                    }
                    next = top + 1;
                }
                epoch = RecoveryIT.epochOf(ack);
                long until = System.currentTimeMillis() + 20 + rnd.nextInt(300);
                while (System.currentTimeMillis() < until) {
                    Envelope e = c.received.poll(10, TimeUnit.MILLISECONDS);
                    if (e == null || e.type() != MessageType.MESSAGE) {
                        continue;
                    }
                    assertThat(e.offset()).as("%s: message after %d", user, next - 1).isEqualTo(next);
                    assertThat(e.payloadText()).isEqualTo(Long.toString(next)); // offset n carries the n-th publish
                    next++;
                }
                last = next - 1;
            }
            // Mostly short drops (recoverable); one in five long enough to fall out of retention even when
            // a loaded machine publishes at a fraction of the nominal 250 per second.
            Thread.sleep(rnd.nextInt(5) == 0 ? 600 + rnd.nextInt(300) : rnd.nextInt(100));
        }
        return new int[] {recovered, refused};
    }
}
