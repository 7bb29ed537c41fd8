package io.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.events.Events;
import io.switchboard.server.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The server API's view of the webhooks: {@code GET /api/webhooks/dead-letters?endpoint=NAME&limit=N} lists an
 * endpoint's dead letters (events given up on after the maximum age) exactly as the endpoint would have got
 * them, and {@code POST /api/webhooks/replay} with {@code {"endpoint": NAME, "ids": [...]}} (no ids: all)
 * puts them back at the end of the endpoint's queue. Docs: docs/backend.md.
 */
final class WebhookApi {

    private static final int MAX_LIST = 1000;
    private final Events events;

    WebhookApi(Events events) {
        this.events = events;
    }

    CompletableFuture<ServerApi.Reply> deadLetters(Map<String, List<String>> query) {
        String endpoint = endpoint(ApiInput.param(query, "endpoint", true));
        int limit = (int) ApiInput.number(query, "limit", 100, 1, MAX_LIST);
        return events.deadLetters(endpoint, limit).thenApply(list -> {
            byte[] batch = Events.batchJson(list);
            return ServerApi.Reply.ok(Json.object(g -> {
                g.writeStringField("endpoint", endpoint);
                g.writeNumberField("count", list.size());
                g.writeFieldName("events");
                // The batch is {"events":[...]}: its array, as the endpoint would have received it.
                String s = new String(batch, java.nio.charset.StandardCharsets.UTF_8);
                g.writeRawValue(s.substring("{\"events\":".length(), s.length() - 1));
            }));
        });
    }

    CompletableFuture<ServerApi.Reply> replay(JsonNode req) {
        String endpoint = endpoint(ApiInput.text(req.get("endpoint"), "endpoint"));
        List<String> ids = new ArrayList<>();
        JsonNode list = req.get("ids");
        if (list != null && !list.isNull()) {
            if (!list.isArray() || list.size() > MAX_LIST) {
                throw ApiInput.bad("ids must be an array of at most " + MAX_LIST + " event ids (leave it out to replay all)");
            }
            list.forEach(n -> ids.add(ApiInput.text(n, "ids[]")));
        }
        return events.replay(endpoint, ids).thenApply(n -> ServerApi.Reply.ok(Json.object(g -> g.writeNumberField("replayed", n))));
    }

    private String endpoint(String name) {
        if (!events.endpointNames().contains(name)) {
            throw new ApiException(ErrorCode.NOT_AVAILABLE, "no webhook endpoint named '" + ApiInput.clip(name)
                    + "' (configured: " + events.endpointNames() + ")");
        }
        return name;
    }
}
