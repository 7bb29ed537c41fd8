package io.switchboard.client;

import io.switchboard.server.testing.ExternalServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channels sharded over two Redis servers by a stable hash of their name, with one of the two down when
 * the nodes start: they say they are not ready (503 engine_unavailable) until it comes up, then work,
 * each channel living in exactly one of the two.
 */
class RedisShardingIT {

    @Test
    void nodesWaitForEveryShardThenSpreadChannelsOverThem() throws Exception {
        try (ExternalServer first = ExternalServer.persistentRedis(); ExternalServer second = ExternalServer.redisNotStarted()) {
            String config = ServerProcess.configFile(Cluster.CONFIG);
            String[] args = {"--config", config, "--engine", "redis", "--redis-url", first.url() + "," + second.url()};
            List<ServerProcess> nodes = new ArrayList<>();
            List<SwitchboardClient> clients = new ArrayList<>();
            try {
                nodes.add(ServerProcess.startAnswering(args));
                nodes.add(ServerProcess.startAnswering(args));
                for (ServerProcess n : nodes) {
                    assertThat(RedisRestartIT.readyz(n)).contains("engine_unavailable");
                }
                second.launch();
                for (ServerProcess n : nodes) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> RedisRestartIT.readyz(n).contains("\"ready\""));
                }

                SwitchboardClient sub = SwitchboardClient.builder(nodes.get(1).url()).token(ServerProcess.token("sub")).build();
                SwitchboardClient pub = SwitchboardClient.builder(nodes.get(0).url()).token(ServerProcess.token("pub")).build();
                clients.add(sub);
                clients.add(pub);
                List<Inbox> inboxes = new ArrayList<>();
                for (int c = 0; c < 20; c++) {
                    Inbox in = new Inbox();
                    sub.subscribe("chat:shard" + c, in);
                    inboxes.add(in);
                }
                sub.connect().get(20, TimeUnit.SECONDS);
                pub.connect().get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> inboxes.stream().allMatch(in -> in.acks.size() == 1));
                for (int round = 0; round < 3; round++) {
                    for (int c = 0; c < 20; c++) {
                        pub.publish("chat:shard" + c, "{\"c\":" + c + ",\"r\":" + round + "}").get(10, TimeUnit.SECONDS);
                    }
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> inboxes.stream().allMatch(in -> in.messages.size() == 3));
                for (int c = 0; c < 20; c++) {
                    assertThat(inboxes.get(c).offsets()).containsExactly(1L, 2L, 3L);
                }
                // Each channel's stream is in one Redis only, and both got some.
                int inFirst = count(first.redisCommand("EVAL \"return #redis.call('KEYS','sb:{*}:s')\" 0"));
                int inSecond = count(second.redisCommand("EVAL \"return #redis.call('KEYS','sb:{*}:s')\" 0"));
                assertThat(inFirst).isPositive();
                assertThat(inSecond).isPositive();
                assertThat(inFirst + inSecond).isEqualTo(20);
            } finally {
                clients.forEach(SwitchboardClient::close);
                for (ServerProcess n : nodes) {
                    n.close();
                }
            }
        }
    }

    private static int count(String reply) {
        assertThat(reply).startsWith(":");
        return Integer.parseInt(reply.substring(1));
    }
}
