package io.switchboard.server.testing;

import io.switchboard.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A Redis Cluster of the test's own: three {@code redis-server --cluster-enabled yes} processes on free
 * loopback ports, joined by {@code redis-cli --cluster create} (three primaries, no replicas: each owns a
 * third of the 16,384 slots). Ready once every node reports {@code cluster_state:ok}.
 */
public final class RedisClusterServers implements AutoCloseable {

    public final List<ExternalServer> nodes = new ArrayList<>();

    private RedisClusterServers() {
    }

    public static RedisClusterServers start() throws Exception {
        RedisClusterServers c = new RedisClusterServers();
        try {
            for (int i = 0; i < 3; i++) {
                c.nodes.add(ExternalServer.redis("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000"));
            }
            List<String> create = new ArrayList<>(List.of(Tools.path("redis-cli"), "--cluster", "create"));
            for (ExternalServer n : c.nodes) {
                create.add("127.0.0.1:" + n.port());
            }
            create.add("--cluster-yes");
            Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + new String(out, StandardCharsets.UTF_8));
            }
            Awaitility.await("every cluster node reports cluster_state:ok").atMost(Duration.ofSeconds(30))
                    .until(() -> c.nodes.stream().allMatch(n -> {
                        try {
                            return n.redisQuery("CLUSTER", "INFO").contains("cluster_state:ok");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }));
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The cluster as the node takes it: {@code redis-cluster://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c}. */
    public String url() {
        return "redis-cluster://" + String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    /** How many keys matching {@code pattern} each node holds, in node order. */
    public List<Integer> keysPerNode(String pattern) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (ExternalServer n : nodes) {
            String keys = n.redisQuery("KEYS", pattern);
            out.add(keys.isEmpty() ? 0 : keys.split("\n").length);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        for (ExternalServer n : nodes) {
            n.close();
        }
    }
}
