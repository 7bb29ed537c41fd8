package io.switchboard.client;

import io.switchboard.server.testing.ExternalServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Several Switchboard nodes, each its own JVM, sharing one Redis (and NATS when asked): what the cluster
 * tests run against. Nodes start in parallel; closing kills them all.
 */
final class Cluster implements AutoCloseable {

    /** A namespace with room for every message the cluster tests publish, and presence. */
    static final String CONFIG = """
            presence-ttl: 3s
            namespaces:
              chat:
                history-size: 2000
                history-ttl: 10m
                presence: true
                join-leave: true
              news:
                history-size: 0
            """;

    final List<ServerProcess> nodes;

    private Cluster(List<ServerProcess> nodes) {
        this.nodes = nodes;
    }

    /** {@code n} nodes with {@code --engine redis} on {@code redis}, plus {@code extraArgs}. */
    static Cluster start(int n, ExternalServer redis, String... extraArgs) throws Exception {
        String config = ServerProcess.configFile(CONFIG);
        List<String> args = new ArrayList<>(List.of("--config", config, "--engine", "redis", "--redis-url", redis.url()));
        args.addAll(List.of(extraArgs));
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ServerProcess.start(args.toArray(String[]::new));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        List<ServerProcess> nodes = new ArrayList<>();
        RuntimeException failed = null;
        for (CompletableFuture<ServerProcess> f : starting) {
            try {
                nodes.add(f.join());
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        Cluster c = new Cluster(nodes);
        if (failed != null) {
            c.close();
            throw failed;
        }
        return c;
    }

    List<String> urls() {
        return nodes.stream().map(ServerProcess::url).toList();
    }

    /** A client of {@code user} on node {@code i}; with {@code roaming}, each reconnect goes to the next node. */
    SwitchboardClient client(String user, int i, boolean roaming, ConnectionListener listener) {
        SwitchboardClientBuilder b = SwitchboardClient.builder(nodes.get(i).url()).token(ServerProcess.token(user))
                .reconnectDelay(Duration.ofMillis(100), Duration.ofSeconds(1)).listener(listener);
        if (roaming) {
            b.transport(new RoundRobinTransport(urls(), i));
        }
        return b.build();
    }

    /**
     * {@code count} clients (users {@code user0}…), spread over the nodes in turn, each subscribed to
     * {@code channel} and, unless null, to the live-only {@code liveChannel}; returns once all are subscribed.
     */
    Followers follow(int count, String channel, String liveChannel, boolean roaming) throws Exception {
        Followers f = new Followers();
        try {
            for (int i = 0; i < count; i++) {
                Recorder r = new Recorder();
                SwitchboardClient c = client("user" + i, i % nodes.size(), roaming, r);
                f.clients.add(c);
                f.recorders.add(r);
                Inbox h = new Inbox();
                c.subscribe(channel, h);
                f.history.add(h);
                if (liveChannel != null) {
                    Inbox l = new Inbox();
                    c.subscribe(liveChannel, l);
                    f.live.add(l);
                }
                c.connect().get(20, java.util.concurrent.TimeUnit.SECONDS);
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> f.history.stream().allMatch(h -> h.acks.size() == 1) && f.live.stream().allMatch(l -> l.acks.size() == 1));
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    /** The subscribers {@link #follow} made, with what each received. */
    static final class Followers implements AutoCloseable {
        final List<SwitchboardClient> clients = new ArrayList<>();
        final List<Recorder> recorders = new ArrayList<>();
        final List<Inbox> history = new ArrayList<>();
        final List<Inbox> live = new ArrayList<>();

        @Override
        public void close() {
            clients.forEach(SwitchboardClient::close);
        }
    }

    @Override
    public void close() {
        for (ServerProcess p : nodes) {
            try {
                p.close();
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }
}
