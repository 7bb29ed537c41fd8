package io.switchboard.server.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.engine.EventQueue;
import io.switchboard.server.engine.EventQueue.QueuedEvent;
import io.switchboard.server.util.LogText;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one endpoint's queue, on this node while it holds the queue's lease: reads the oldest events, POSTs
 * them as one signed batch, and removes them once the endpoint answered 2xx. A batch that fails is sent again
 * after a random wait below a ceiling that doubles with each failure (full jitter), and nothing behind it goes
 * first, so the endpoint sees events in queue order; an event older than the maximum age whose delivery
 * failed goes to the dead letters instead. Runs on the events timer; the HTTP call is asynchronous, so no
 * thread waits for the endpoint.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final long POLL_MILLIS = 250;

    private final WebhookConfig.Endpoint endpoint;
    private final WebhookConfig config;
    private final EventQueue queue;
    private final String holder;
    private final ScheduledExecutorService timer;
    private final HttpClient http;
    private final Counter delivered;
    private final Counter failedRequests;
    private final Counter deadLettered;
    private final Timer latency;
    // Timer thread only.
    private boolean holding;
    private long leasedAt;
    private int failures;
    private boolean idle; // waiting for events (a wake-up may cut the wait short)
    private ScheduledFuture<?> next;
    private volatile boolean closed;
    private volatile boolean failingLogged;

    Dispatcher(WebhookConfig.Endpoint endpoint, WebhookConfig config, EventQueue queue, String holder,
               ScheduledExecutorService timer, HttpClient http, MeterRegistry registry) {
        this.endpoint = endpoint;
        this.config = config;
        this.queue = queue;
        this.holder = holder;
        this.timer = timer;
        this.http = http;
        this.delivered = Counter.builder("switchboard_webhook_events_delivered").tag("endpoint", endpoint.name())
                .description("Events the endpoint acknowledged with 2xx").register(registry);
        this.failedRequests = Counter.builder("switchboard_webhook_failed_requests").tag("endpoint", endpoint.name())
                .description("Webhook requests that failed (no answer in time, or not 2xx)").register(registry);
        this.deadLettered = Counter.builder("switchboard_webhook_dead_letters").tag("endpoint", endpoint.name())
                .description("Events given up on after the maximum age, kept in the dead letters").register(registry);
        this.latency = Timer.builder("switchboard_webhook_request_seconds").tag("endpoint", endpoint.name())
                .description("Time from sending a webhook request to its answer").register(registry);
    }

    String queueName() {
        return endpoint.name();
    }

    void start() {
        schedule(0);
    }

    /** New events were appended on this node: deliver now rather than at the next poll. */
    void wake() {
        timer.execute(() -> {
            if (idle && next != null && next.cancel(false)) {
                schedule(0);
            }
        });
    }

    void close() {
        closed = true;
    }

    private void schedule(long millis) {
        if (!closed) {
            next = timer.schedule(this::tick, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        idle = false;
        if (closed) {
            return;
        }
        long ttl = config.nodeTtl().toMillis();
        long now = System.currentTimeMillis();
        if (holding && now - leasedAt < ttl / 3) {
            read();
            return;
        }
        queue.leaseQueue(endpoint.name(), holder, config.nodeTtl()).whenCompleteAsync((held, failure) -> {
            holding = failure == null && held;
            if (holding) {
                leasedAt = now;
                read();
            } else {
                schedule(failure != null ? POLL_MILLIS : Math.max(POLL_MILLIS, ttl / 3));
            }
        }, timer);
    }

    private void read() {
        queue.peekEvents(endpoint.name(), config.batchSize()).whenCompleteAsync((events, failure) -> {
            if (failure != null || events.isEmpty()) {
                idle = failure == null;
                schedule(POLL_MILLIS);
            } else {
                send(events);
            }
        }, timer);
    }

    private void send(List<QueuedEvent> events) {
        long sentAt = System.currentTimeMillis();
        WebhookConfig.Format format = endpoint.format();
        byte[] body = format == null ? batch(events) : format.body(events, sentAt);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpoint.url()))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "switchboard-webhooks");
        if (format == null) {
            builder.header(Signature.HEADER, Signature.header(endpoint.secret(), sentAt, body));
        } else {
            format.headers(body, sentAt).forEach(builder::header);
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((response, failure) -> {
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (failure == null && response.statusCode() / 100 == 2) {
                delivered(events);
            } else {
                failed(events, failure != null ? failure.toString() : "status " + response.statusCode());
            }
        }, timer);
    }

    private void delivered(List<QueuedEvent> events) {
        delivered.increment(events.size());
        if (failingLogged) {
            failingLogged = false;
            log.info("webhook endpoint {} accepts events again", endpoint.name());
        }
        failures = 0;
        queue.removeEvents(endpoint.name(), events, false).whenCompleteAsync((ok, failure) ->
                schedule(failure == null ? 0 : POLL_MILLIS), timer);
    }

    private void failed(List<QueuedEvent> events, String why) {
        failedRequests.increment();
        failures++;
        if (!failingLogged) {
            failingLogged = true; // one line per outage, not per retry
            log.warn("webhook endpoint {} failed: {}; retrying with backoff", endpoint.name(), LogText.escape(why));
        }
        long now = System.currentTimeMillis();
        List<QueuedEvent> tooOld = events.stream().filter(e -> now - e.createdAt() > config.maxAge().toMillis()).toList();
        long wait = backoff();
        if (tooOld.isEmpty()) {
            schedule(wait);
            return;
        }
        deadLettered.increment(tooOld.size());
        log.warn("webhook endpoint {}: {} events older than {} moved to the dead letters", endpoint.name(), tooOld.size(),
                config.maxAge());
        queue.removeEvents(endpoint.name(), tooOld, true).whenCompleteAsync((ok, failure) -> schedule(wait), timer);
    }

    /** A random wait below min(retry-max, retry-min * 2^(failures-1)). */
    private long backoff() {
        long ceiling = config.retryMin().toMillis() << Math.min(20, failures - 1);
        ceiling = Math.min(ceiling, config.retryMax().toMillis());
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /** {@code {"events":[...]}}, each event's stored body with its sequence number put first. */
    static byte[] batch(List<QueuedEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * events.size());
        out.writeBytes("{\"events\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.size(); i++) {
            QueuedEvent e = events.get(i);
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(("{\"seq\":" + e.seq() + ",").getBytes(StandardCharsets.UTF_8));
            out.write(e.body(), 1, e.body().length - 1); // the body is an object with at least id and type
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static Duration pollInterval() {
        return Duration.ofMillis(POLL_MILLIS);
    }
}
