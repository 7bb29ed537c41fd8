package io.switchboard.server.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Where the node sends the backend's events (webhooks), and how hard it tries: the {@code webhooks:} section
 * of the YAML file. With no endpoint the node produces no events at all.
 *
 * @param endpoints  the receivers, each with the events and namespaces it wants
 * @param maxAge     an event not delivered this long after it happened goes to its endpoint's dead letters
 * @param retryMin   the first retry's ceiling; each failure doubles it (full jitter: a random wait below it)
 * @param retryMax   the ceiling's ceiling
 * @param timeout    one delivery request's time limit (connect and answer)
 * @param batchSize  most events in one request
 * @param nodeTtl    how long a node that stopped saying it is alive counts as alive; then the others produce
 *                   its connections' last events, and take over the queues it delivered
 */
public record WebhookConfig(List<Endpoint> endpoints, Duration maxAge, Duration retryMin, Duration retryMax,
                            Duration timeout, int batchSize, Duration nodeTtl) {

    /** The event names an endpoint may ask for. */
    public static final List<String> EVENT_TYPES = List.of("connect", "disconnect", "subscribe", "unsubscribe",
            "channel_occupied", "channel_vacated", "presence_join", "presence_leave", "publish");

    public WebhookConfig {
        endpoints = List.copyOf(endpoints);
        if (batchSize < 1) {
            throw new InvalidConfigException("webhooks.batch-size", "must be at least 1");
        }
        for (Duration d : List.of(maxAge, retryMin, retryMax, timeout, nodeTtl)) {
            if (d.isZero() || d.isNegative()) {
                throw new InvalidConfigException("webhooks", "durations must be positive");
            }
        }
        if (retryMax.compareTo(retryMin) < 0) {
            throw new InvalidConfigException("webhooks.retry-max", "must not be less than retry-min");
        }
    }

    /** No endpoints: events off. */
    public static WebhookConfig none() {
        return new WebhookConfig(List.of(), Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofSeconds(10), 100, Duration.ofSeconds(15));
    }

    public boolean enabled() {
        return !endpoints.isEmpty();
    }

    public WebhookConfig withEndpoints(List<Endpoint> list) {
        return new WebhookConfig(list, maxAge, retryMin, retryMax, timeout, batchSize, nodeTtl);
    }

    /**
     * One receiver.
     *
     * @param name       its name: the queue and dead-letter list are named after it ({@code [A-Za-z0-9_-]+})
     * @param url        an {@code http://} or {@code https://} URL that gets a POST per batch
     * @param secret     the HMAC-SHA256 key of the signature header (at least 32 bytes)
     * @param events     the event names it wants ({@link #EVENT_TYPES})
     * @param namespaces the namespaces whose channel events it wants; empty: all
     * @param format     how its requests are written and signed; null: Switchboard's own (docs/backend.md)
     */
    public record Endpoint(String name, String url, String secret, Set<String> events, Set<String> namespaces,
                           Format format) {

        /** An endpoint that gets Switchboard's own format. */
        public Endpoint(String name, String url, String secret, Set<String> events, Set<String> namespaces) {
            this(name, url, secret, events, namespaces, null);
        }

        public Endpoint {
            String where = "webhooks endpoint '" + name + "'";
            List<String> known = format == null ? EVENT_TYPES : format.eventTypes();
            if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new InvalidConfigException("webhooks", "an endpoint's name must be 1 to 64 of A-Z a-z 0-9 _ -, not '" + name + "'");
            }
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new InvalidConfigException(where, "url must start with http:// or https://");
            }
            if (secret == null || format == null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                throw new InvalidConfigException(where, "secret must be at least 32 bytes");
            }
            for (String e : events) {
                if (!known.contains(e)) {
                    throw new InvalidConfigException(where, "unknown event '" + e + "'; known: " + known);
                }
            }
            if (events.isEmpty()) {
                throw new InvalidConfigException(where, "events must name at least one of " + known);
            }
            events = Set.copyOf(events);
            namespaces = Set.copyOf(namespaces);
        }

        /** Whether it wants {@code type}, about a channel of namespace {@code ns} (null: not about a channel). */
        public boolean wants(String type, String ns) {
            return events.contains(type) && (ns == null || namespaces.isEmpty() || namespaces.contains(ns));
        }

        @Override
        public String toString() {
            return "Endpoint[" + name + " " + url + " events=" + events + " namespaces=" + namespaces + "]";
        }
    }

    /**
     * Another way of writing an endpoint's requests (the Pusher apps' webhooks use one): the events are those
     * the node produced and queued, oldest first, each body a JSON object with {@code id}, {@code type},
     * {@code ts} and the type's fields (docs/backend.md); the format picks what it sends of them.
     */
    public interface Format {
        /** The event types an endpoint of this format may ask for. */
        List<String> eventTypes();

        /** The request body for these events (at least one), sent at {@code nowMillis}. */
        byte[] body(List<io.switchboard.server.engine.EventQueue.QueuedEvent> events, long nowMillis);

        /** The headers that sign {@code body} (besides Content-Type and User-Agent). */
        java.util.Map<String, String> headers(byte[] body, long nowMillis);
    }
}
