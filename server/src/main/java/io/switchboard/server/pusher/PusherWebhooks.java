package io.switchboard.server.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.engine.EventQueue.QueuedEvent;
import io.switchboard.server.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Pusher apps' webhooks, on the node's one delivery machinery ({@code events}, docs/backend.md): each
 * webhook of an app is an endpoint of the node's webhooks whose namespace is the app's and whose requests
 * are written in Pusher's format, {@code {"time_ms": ..., "events": [{"name": ..., "channel": ...}, ...]}},
 * signed with {@code X-Pusher-Key} (the app's key) and {@code X-Pusher-Signature} (HMAC-SHA256 of the body
 * under the app's secret, lower-case hex). Each event also carries the node's {@code id} and {@code seq}
 * (Pusher SDKs ignore them; a receiver de-duplicates repeats by {@code id}).
 */
public final class PusherWebhooks implements WebhookConfig.Format {

    private final PusherApp app;

    private PusherWebhooks(PusherApp app) {
        this.app = app;
    }

    /** {@code base} with an endpoint added for every webhook of every app (base's timings apply to them). */
    public static WebhookConfig withApps(WebhookConfig base, List<PusherApp> apps) {
        List<WebhookConfig.Endpoint> endpoints = new ArrayList<>(base.endpoints());
        for (PusherApp app : apps) {
            PusherWebhooks format = new PusherWebhooks(app);
            for (int i = 0; i < app.webhooks().size(); i++) {
                PusherApp.Webhook w = app.webhooks().get(i);
                endpoints.add(new WebhookConfig.Endpoint(queueName(app, i), w.url(), app.secret(), w.events(),
                        Set.of(app.namespace(), app.cacheNamespace()), format));
            }
        }
        return endpoints.size() == base.endpoints().size() ? base : base.withEndpoints(endpoints);
    }

    /** The queue of the app's {@code i}th webhook: {@code pusher-<id>-<i>} (a digest of the id when that is too long). */
    static String queueName(PusherApp app, int i) {
        String name = "pusher-" + app.id() + "-" + i;
        if (name.length() <= 64) {
            return name;
        }
        return "pusher-" + PusherSignatures.md5(app.id().getBytes(StandardCharsets.UTF_8)) + "-" + i;
    }

    @Override
    public List<String> eventTypes() {
        return PusherApp.WEBHOOK_EVENTS;
    }

    @Override
    public byte[] body(List<QueuedEvent> events, long nowMillis) {
        return Json.object(g -> {
            g.writeNumberField("time_ms", nowMillis);
            g.writeArrayFieldStart("events");
            for (QueuedEvent e : events) {
                writeEvent(g, e);
            }
            g.writeEndArray();
        });
    }

    private void writeEvent(JsonGenerator g, QueuedEvent e) throws IOException {
        JsonNode n = PusherFrames.mapper().readTree(e.body());
        String internal = n.path("channel").asText("");
        String channel = PusherChannels.external(app, internal);
        g.writeStartObject();
        g.writeStringField("name", n.path("type").asText());
        g.writeStringField("channel", channel != null ? channel : internal);
        for (String field : List.of("user_id", "event", "data", "socket_id")) {
            JsonNode v = n.get(field);
            if (v != null && v.isTextual()) {
                g.writeStringField(field, v.textValue());
            }
        }
        g.writeStringField("id", e.id());
        g.writeNumberField("seq", e.seq());
        g.writeEndObject();
    }

    @Override
    public Map<String, String> headers(byte[] body, long nowMillis) {
        return Map.of("X-Pusher-Key", app.key(),
                "X-Pusher-Signature", PusherSignatures.hmac(app.secret(), new String(body, StandardCharsets.UTF_8)));
    }
}
