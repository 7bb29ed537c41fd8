package io.switchboard.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.client.Payloads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny application backend for the demo chat's {@code /who} command: the node's rpc hook
 * (docs/backend.md) calls it with {@code {"method": "chat.who", "payload": "<room>"}}, and it answers the
 * users present in {@code chat:<room>}, read from the node's server API. Run a node with
 *
 * <pre>
 * ./switchboard --api-key demo-backend-key-0123456789 --config examples/chat-backend.yaml
 * java -cp examples/target/chat-bot.jar io.switchboard.examples.ChatBackend http://127.0.0.1:8080 demo-backend-key-0123456789 9000
 * </pre>
 *
 * then type {@code /who} in a demo tab. Only the JDK: its HTTP server, its HTTP client.
 */
public final class ChatBackend implements AutoCloseable {

    private static final Pattern USER = Pattern.compile("\"userId\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String node;
    private final String apiKey;

    private ChatBackend(String node, String apiKey, int port) throws IOException {
        this.node = node;
        this.apiKey = apiKey;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/rpc", this::rpc);
        server.start();
    }

    /** Starts answering on {@code port} (0: any free one) of the loopback address. */
    public static ChatBackend start(String nodeHttpBase, String apiKey, int port) throws IOException {
        return new ChatBackend(nodeHttpBase, apiKey, port);
    }

    /** Reads presence from this node from now on (e.g. a node started after this backend, on a port not known before). */
    public void node(String nodeHttpBase) {
        this.node = nodeHttpBase;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void rpc(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = Payloads.stringField(body, "method");
            String answer;
            if ("chat.who".equals(method)) {
                String room = Payloads.stringField(body, "payload");
                answer = room == null || !room.matches("[A-Za-z0-9_-]{1,64}")
                        ? "{\"error\":{\"code\":\"bad_request\",\"message\":\"say which room\"}}"
                        : "{\"result\":{\"room\":" + Payloads.quote(room) + ",\"users\":" + who("chat:" + room) + "}}";
            } else {
                answer = "{\"error\":{\"code\":\"not_available\",\"message\":\"this backend answers chat.who only\"}}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(503, -1); // the node answers its client `unavailable`
        }
    }

    /** The users present in {@code channel}, as a JSON array, from the node's {@code GET /api/presence}. */
    private String who(String channel) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(node + "/api/presence?channel="
                        + URLEncoder.encode(channel, StandardCharsets.UTF_8)))
                .header("X-API-Key", apiKey).timeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("presence answered " + res.statusCode());
        }
        Set<String> users = new TreeSet<>();
        Matcher m = USER.matcher(res.body());
        while (m.find()) {
            users.add(m.group(1));
        }
        StringBuilder b = new StringBuilder("[");
        for (String u : users) {
            b.append(b.length() == 1 ? "" : ",").append('"').append(u).append('"'); // already JSON-escaped
        }
        return b.append(']').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ChatBackend <node http base, e.g. http://127.0.0.1:8080> <api key> <port>");
            System.exit(2);
        }
        ChatBackend b = start(args[0], args[1], Integer.parseInt(args[2]));
        System.out.println("answering the rpc hook on http://127.0.0.1:" + b.port() + "/rpc");
        Thread.currentThread().join();
    }
}
