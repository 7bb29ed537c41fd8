package io.switchboard.server.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real application backend for hook tests: the JDK's HTTP server on a loopback port. Each hook has a path
 * ({@code /connect}, {@code /subscribe}...) whose answer a test sets as a function of the request; every
 * request is recorded with its headers. It can answer late, and be stopped and started again on its port.
 */
final class HookBackend implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, raw body, and how long to wait before sending it. */
    record Answer(int status, byte[] body, long delayMillis) {
        static Answer json(String body) {
            return new Answer(200, body.getBytes(StandardCharsets.UTF_8), 0);
        }

        Answer late(long millis) {
            return new Answer(status, body, millis);
        }
    }

    /** A request as it arrived. */
    record Received(String hook, JsonNode body, Map<String, List<String>> headers) {
        String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final int port;
    private HttpServer server;
    private ExecutorService executor;
    final Map<String, Function<JsonNode, Answer>> answers = new ConcurrentHashMap<>();
    final List<Received> received = new CopyOnWriteArrayList<>();

    HookBackend() throws IOException {
        start(0);
        this.port = server.getAddress().getPort();
    }

    private void start(int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            try (ex) {
                String hook = ex.getRequestURI().getPath().substring(1);
                JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
                received.add(new Received(hook, body, Map.copyOf(ex.getRequestHeaders())));
                Function<JsonNode, Answer> f = answers.getOrDefault(hook, b -> Answer.json("{}"));
                Answer a = f.apply(body);
                if (a.delayMillis() > 0) {
                    try {
                        Thread.sleep(a.delayMillis()); // a slow backend: the node's timeout runs out first
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
                if (a.body().length > 0) {
                    ex.getResponseBody().write(a.body());
                }
            }
        });
        server.start();
    }

    String url(String hook) {
        return "http://127.0.0.1:" + port + "/" + hook;
    }

    List<Received> of(String hook) {
        return received.stream().filter(r -> r.hook().equals(hook)).toList();
    }

    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    void restart() throws IOException {
        start(port);
    }

    @Override
    public void close() {
        stop();
    }
}
