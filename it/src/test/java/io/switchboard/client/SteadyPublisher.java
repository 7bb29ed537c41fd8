package io.switchboard.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes {"n":0} … {"n":count-1} to one channel, one after the other, each with its own idempotency key,
 * and retries a publish that failed (node killed, Redis down) with the same key until it is acknowledged:
 * what a careful application does. Runs on its own thread.
 */
final class SteadyPublisher implements Runnable, AutoCloseable {

    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final List<Long> offsets = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final SwitchboardClient client;
    private final String channel;
    private final int count;
    private final long pauseMillis;
    private final Thread thread;

    SteadyPublisher(SwitchboardClient client, String channel, int count, long pauseMillis) {
        this.client = client;
        this.channel = channel;
        this.count = count;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this, "steady-publisher");
        this.thread.setDaemon(true);
    }

    SteadyPublisher start() {
        thread.start();
        return this;
    }

    @Override
    public void run() {
        String run = Long.toString(System.nanoTime(), 36);
        try {
            for (int n = 0; n < count; n++) {
                while (true) {
                    try {
                        PublishResult r = client.publish(channel, "{\"n\":" + n + "}", run + "-" + n).get(10, TimeUnit.SECONDS);
                        offsets.add(r.offset());
                        acknowledged.incrementAndGet();
                        break;
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        retries.incrementAndGet();
                        failures.add(e);
                        Thread.sleep(50); // pacing between tries, not synchronisation
                    }
                }
                Thread.sleep(pauseMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean done() {
        return acknowledged.get() == count;
    }

    /** The payloads every subscriber must end up with, in this order. */
    static List<String> expected(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(n -> "{\"n\":" + n + "}").toList();
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(5000);
    }
}
