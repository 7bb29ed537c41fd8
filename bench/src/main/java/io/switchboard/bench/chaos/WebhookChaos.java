package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.events.Signature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The webhooks' chaos run (docs/guarantees.md): three node processes on the run's own Redis send every event
 * of their connections to a receiver in this process, which checks each request's signature and records the
 * events. Phase 1 SIGKILLs one node while its users are connected, subscribed and present: their
 * {@code presence_leave}, {@code unsubscribe} and {@code disconnect} must come from the survivors. Phase 2
 * takes the receiver away while users come and go, then brings it back: everything must arrive. Then every
 * user's events are checked: each expected event once after de-duplication by id, in order, {@code seq}
 * running 1, 2, 3... Prints the figures (produced, delivered, duplicates, lost, out of order) and writes
 * them to {@code <out>/results.md}. Exit code 0 when nothing was lost or out of order, 1 otherwise.
 *
 * <pre>bench/webhook-chaos [--users N] [--down-seconds S] [--out DIR]</pre>
 */
public final class WebhookChaos {

    private static final String SECRET = "webhook-chaos-jwt-secret-webhook-chaos-1";
    private static final String HOOK_SECRET = "webhook-chaos-hook-secret-webhook-chaos";
    private static final List<String> LIFE = List.of("connect", "subscribe", "presence_join", "presence_leave", "unsubscribe",
            "disconnect");

    private final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> unique = new ConcurrentHashMap<>();
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private int receiverPort;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".");
        int users = 20;
        int downSeconds = 60;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--users" -> users = Integer.parseInt(args[++i]);
                case "--down-seconds" -> downSeconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: webhook-chaos [--users N per node] [--down-seconds S] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            out = root.resolve("bench/results/webhook-chaos-" + LocalDate.now());
        }
        System.exit(new WebhookChaos().run(root, users, downSeconds, Files.createDirectories(out)));
    }

    private int run(Path root, int users, int downSeconds, Path out) throws Exception {
        Path logs = Files.createDirectories(out.resolve("logs"));
        Path tmp = Files.createTempDirectory("webhook-chaos");
        startReceiver(0);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        HttpClient http = HttpClient.newHttpClient();
        TokenMinter minter = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8));
        Map<String, String> channelOf = new LinkedHashMap<>();
        List<String> killedUsers = new ArrayList<>();
        long started = System.nanoTime();
        try (Backend redis = Backend.redis(Files.createDirectories(tmp.resolve("redis")), logs.resolve("redis.log"))) {
            redis.start();
            Path config = tmp.resolve("webhook-chaos.yaml");
            Files.writeString(config, """
                    namespaces:
                      chaos: {presence: true}
                    webhooks:
                      endpoints:
                        - name: main
                          url: http://127.0.0.1:%d/hook
                          secret: %s
                          events: [connect, disconnect, subscribe, unsubscribe, presence_join, presence_leave]
                      retry-min: 100ms
                      retry-max: 2s
                      timeout: 5s
                      node-ttl: 5s
                      max-age: 1h
                    """.formatted(receiverPort, HOOK_SECRET));
            List<String> extra = List.of("--config", config.toString(), "--engine", "redis", "--redis-url", redis.url());
            try (Nodes nodes = new Nodes(3, List.of(root.resolve("switchboard").toString()), SECRET, extra, logs, "webhooks")) {
                say("starting Redis and 3 nodes");
                nodes.startAll();

                // Phase 1: users on every node, connected, subscribed, present; then node 2 is SIGKILLed.
                Map<String, WsConn> open = new LinkedHashMap<>();
                for (int n = 0; n < 3; n++) {
                    for (int u = 0; u < users; u++) {
                        String user = "n" + n + "-u" + u;
                        String channel = "chaos:room" + (u % 5);
                        channelOf.put(user, channel);
                        open.put(user, join(http, loop, n, nodes.ports.get(n), minter.mint(user, Duration.ofHours(1)), channel));
                        if (n == 2) {
                            killedUsers.add(user);
                        }
                    }
                }
                say("phase 1: " + open.size() + " users connected, subscribed and present on 3 nodes");
                await("every presence_join", Duration.ofSeconds(60), () -> count("presence_join") >= open.size());
                nodes.kill(2);
                say("phase 1: node 2 SIGKILLed with " + killedUsers.size() + " users");
                await("the killed node's users' disconnects", Duration.ofSeconds(90),
                        () -> killedUsers.stream().allMatch(u -> has(u, "disconnect")));
                for (Map.Entry<String, WsConn> e : open.entrySet()) {
                    if (!killedUsers.contains(e.getKey())) {
                        e.getValue().close();
                    }
                }
                await("every user's disconnect", Duration.ofSeconds(60), () -> count("disconnect") >= open.size());

                // Phase 2: the receiver is away while users come and go; then it is back.
                receiver.stop(0);
                say("phase 2: receiver down for " + downSeconds + " s while users come and go");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(downSeconds);
                int i = 0;
                while (System.nanoTime() < until) {
                    String user = "away-" + i;
                    String channel = "chaos:away" + (i % 3);
                    channelOf.put(user, channel);
                    int n = i % 2;
                    WsConn c = join(http, loop, n, nodes.ports.get(n), minter.mint(user, Duration.ofHours(1)), channel);
                    c.close();
                    i++;
                    Thread.sleep(Math.max(50, TimeUnit.SECONDS.toMillis(downSeconds) / 60));
                }
                int awayUsers = i;
                startReceiver(receiverPort);
                say("phase 2: receiver back after " + awayUsers + " users came and went");
                await("every user's disconnect", Duration.ofSeconds(120), () -> count("disconnect") >= channelOf.size());
                Thread.sleep(2000); // repeats of the last batch, if any, arrive too and are counted
            }
        } finally {
            receiver.stop(0);
            loop.shutdownNow();
        }
        return report(channelOf, killedUsers, out, users, downSeconds, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private WsConn join(HttpClient http, ScheduledExecutorService loop, int node, int port, String token, String channel) throws Exception {
        java.util.concurrent.CompletableFuture<Void> acked = new java.util.concurrent.CompletableFuture<>();
        WsConn c = WsConn.open(http, node, port, token, loop, new WsConn.Handler() {
            @Override
            public void onEnvelope(WsConn conn, JsonNode env) {
                String type = env.path("type").asText();
                if (type.equals("welcome")) {
                    conn.send("{\"v\":1,\"type\":\"subscribe\",\"id\":\"s\",\"channel\":\"" + channel + "\"}");
                } else if (type.equals("ack") && env.path("id").asText().equals("s")) {
                    acked.complete(null);
                } else if (type.equals("error") && env.path("id").asText().equals("s")) {
                    acked.completeExceptionally(new IllegalStateException("subscribe refused: " + env));
                }
            }

            @Override
            public void onClosed(WsConn conn, String why) {
                acked.completeExceptionally(new IllegalStateException("closed: " + why));
            }
        }).get(10, TimeUnit.SECONDS);
        acked.get(10, TimeUnit.SECONDS);
        return c;
    }

    private void startReceiver(int port) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        receiver.setExecutor(Executors.newFixedThreadPool(2));
        receiver.createContext("/hook", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                String sig = ex.getRequestHeaders().getFirst(Signature.HEADER);
                if (sig == null || !Signature.verify(HOOK_SECRET, sig, body)) {
                    badSignatures.add(sig == null ? "(none)" : sig);
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                for (JsonNode e : WsConn.MAPPER.readTree(body).get("events")) {
                    delivered.add(e);
                    unique.putIfAbsent(e.get("id").asText(), e);
                }
                ex.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        receiverPort = receiver.getAddress().getPort();
    }

    private long count(String type) {
        return unique.values().stream().filter(e -> e.path("type").asText().equals(type)).count();
    }

    private boolean has(String user, String type) {
        return unique.values().stream().anyMatch(e -> e.path("user").asText().equals(user) && e.path("type").asText().equals(type));
    }

    private static void await(String what, Duration max, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                say("gave up waiting for " + what + " after " + max.toSeconds() + " s");
                return;
            }
            Thread.sleep(100);
        }
    }

    /** Checks each user's unique events in arrival order: the expected life, once, seq 1, 2, 3... */
    private int report(Map<String, String> channelOf, List<String> killed, Path out, int users, int downSeconds, long seconds)
            throws IOException {
        Map<String, List<JsonNode>> byUser = new LinkedHashMap<>();
        Map<String, JsonNode> firstCopy = new LinkedHashMap<>();
        for (JsonNode e : delivered) {
            firstCopy.putIfAbsent(e.get("id").asText(), e);
        }
        for (JsonNode e : firstCopy.values()) {
            byUser.computeIfAbsent(e.path("user").asText(), u -> new ArrayList<>()).add(e);
        }
        long expected = (long) channelOf.size() * LIFE.size();
        long lost = 0;
        long outOfOrder = 0;
        long unexpected = 0;
        long killedNodeLost = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> u : channelOf.entrySet()) {
            List<JsonNode> got = byUser.getOrDefault(u.getKey(), List.of());
            List<String> types = got.stream().map(e -> e.path("type").asText()).toList();
            for (String t : LIFE) {
                if (!types.contains(t)) {
                    lost++;
                    if (killed.contains(u.getKey())) {
                        killedNodeLost++;
                    }
                    problems.add(u.getKey() + ": no " + t);
                }
            }
            if (types.size() > LIFE.size()) {
                unexpected += types.size() - LIFE.size();
                problems.add(u.getKey() + ": " + types);
            }
            boolean ordered = types.equals(LIFE);
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).path("seq").asLong() != i + 1) {
                    ordered = false;
                }
            }
            if (!ordered && types.size() == LIFE.size()) {
                outOfOrder++;
                problems.add(u.getKey() + " out of order: " + got.stream().map(e -> e.path("seq").asText() + ":" + e.path("type").asText()).toList());
            }
            if (killed.contains(u.getKey())) {
                got.stream().filter(e -> e.path("type").asText().equals("disconnect")).findFirst().ifPresent(d -> {
                    if (!d.path("reason").asText().equals("node_lost")) {
                        problems.add(u.getKey() + ": disconnect reason " + d.path("reason").asText());
                    }
                });
            }
        }
        long duplicates = delivered.size() - firstCopy.size();
        String figures = """
                | figure | value |
                |---|---|
                | users (phase 1: %d per node on 3 nodes; phase 2: came and went while the receiver was down %d s) | %d |
                | of them on the SIGKILLed node | %d |
                | events expected (6 per user: connect, subscribe, presence_join, presence_leave, unsubscribe, disconnect) | %d |
                | events produced (distinct ids received) | %d |
                | events delivered (requests' events, repeats included) | %d |
                | duplicates (delivered − produced) | %d |
                | lost (expected, never received) | %d |
                | lost among the killed node's users | %d |
                | users whose events came out of order or with a seq gap | %d |
                | unexpected extra events | %d |
                | requests with a bad signature | %d |
                | run time | %d s |
                """.formatted(users, downSeconds, channelOf.size(), killed.size(), expected, firstCopy.size(), delivered.size(),
                duplicates, lost, killedNodeLost, outOfOrder, unexpected, badSignatures.size(), seconds);
        StringBuilder md = new StringBuilder("# Webhook chaos run\n\n").append(figures);
        if (!problems.isEmpty()) {
            md.append("\nProblems:\n\n");
            problems.stream().limit(200).forEach(p -> md.append("- ").append(p).append('\n'));
        }
        Files.writeString(out.resolve("results.md"), md.toString());
        System.out.println(figures);
        problems.stream().limit(20).forEach(p -> System.out.println("problem: " + p));
        System.out.println("written to " + out.resolve("results.md"));
        return lost == 0 && outOfOrder == 0 && unexpected == 0 && badSignatures.isEmpty() && problems.isEmpty() ? 0 : 1;
    }

    private static void say(String s) {
        System.out.println("webhook-chaos: " + s);
    }
}
