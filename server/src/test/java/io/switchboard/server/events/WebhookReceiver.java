package io.switchboard.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real webhook receiver for tests: the JDK's HTTP server on a loopback port, which checks every request's
 * signature, records the events of the requests it accepts (in arrival order), and can be told to fail
 * (500), to answer late, or to stop and start again on the same port.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    enum Mode { OK, FAIL }

    private final String secret;
    private final int port;
    private HttpServer server;
    volatile Mode mode = Mode.OK;
    /** Milliseconds to wait before answering (after recording, when the answer is 2xx). */
    volatile long delayMillis;
    /** Events of requests answered 2xx, in arrival order (repeats included). */
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger badSignatures = new AtomicInteger();

    WebhookReceiver(String secret) throws IOException {
        this(secret, 0);
    }

    private WebhookReceiver(String secret, int port) throws IOException {
        this.secret = secret;
        start(port);
        this.port = server.getAddress().getPort();
    }

    private void start(int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/hook", ex -> {
            try (ex) {
                requests.incrementAndGet();
                byte[] body = ex.getRequestBody().readAllBytes();
                String sig = ex.getRequestHeaders().getFirst(Signature.HEADER);
                if (sig == null || !Signature.verify(secret, sig, body)) {
                    badSignatures.incrementAndGet();
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                if (mode == Mode.FAIL) {
                    refused.incrementAndGet();
                    ex.sendResponseHeaders(500, -1);
                    return;
                }
                for (JsonNode e : JSON.readTree(body).get("events")) {
                    events.add(e);
                }
                long delay = delayMillis;
                if (delay > 0) {
                    try {
                        Thread.sleep(delay); // a slow backend: the node's timeout may run out first
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                ex.sendResponseHeaders(204, -1);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    void restart() throws IOException {
        start(port);
    }

    /** Every event once (the first copy of each id), in arrival order. */
    List<JsonNode> unique() {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode e : events) {
            byId.putIfAbsent(e.get("id").asText(), e);
        }
        return new ArrayList<>(byId.values());
    }

    /** The unique events of one type, as "type user channel" lines are awkward to assert; the nodes themselves. */
    List<JsonNode> ofType(String type) {
        return unique().stream().filter(e -> e.get("type").asText().equals(type)).toList();
    }

    /** The types of the unique events about {@code user}, in arrival order. */
    List<String> typesFor(String user) {
        return unique().stream().filter(e -> e.has("user") && e.get("user").asText().equals(user))
                .map(e -> e.get("type").asText() + (e.has("channel") ? " " + e.get("channel").asText() : "")).toList();
    }

    @Override
    public void close() {
        stop();
    }
}
