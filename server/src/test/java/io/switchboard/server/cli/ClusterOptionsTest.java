package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster options (--engine, --redis-url, --broker, --nats-url) from each source, masked, and checked. */
class ClusterOptionsTest {

    @TempDir
    Path dir;

    @Test
    void engineAndShardsComeFromFlagEnvOrYamlAndPasswordsAreMasked() throws Exception {
        CliRun flags = CliRun.run(Map.of(), "serve", "--engine", "redis", "--redis-url", "redis://:s3cret@10.0.0.1:6379",
                "--redis-url", "redis://10.0.0.2:6379", "--broker", "nats", "--nats-url", "nats://user:pw@127.0.0.1:4222",
                "--print-config");
        assertThat(flags.exit()).as(flags.err()).isZero();
        assertThat(flags.out())
                .contains("engine: redis    # flag --engine")
                .contains("redis-url: [redis://:****@10.0.0.1:6379, redis://10.0.0.2:6379]    # flag --redis-url")
                .contains("broker: nats    # flag --broker")
                .contains("nats-url: nats://user:****@127.0.0.1:4222")
                .doesNotContain("s3cret").doesNotContain(":pw@");

        CliRun env = CliRun.run(Map.of("SWITCHBOARD_ENGINE", "redis", "SWITCHBOARD_REDIS_URL", "redis://a:1,redis://b:2"),
                "serve", "--print-config");
        assertThat(env.exit()).as(env.err()).isZero();
        assertThat(env.out()).contains("engine: redis    # env SWITCHBOARD_ENGINE")
                .contains("redis-url: [redis://a:1, redis://b:2]    # env SWITCHBOARD_REDIS_URL");

        // A Sentinel URL holds commas of its own: the list is split only before a scheme.
        CliRun sentinel = CliRun.run(Map.of("SWITCHBOARD_ENGINE", "redis",
                "SWITCHBOARD_REDIS_URL", "redis-sentinel://:s3cret@a:26379,b:26379#main, redis://c:6379"), "serve", "--print-config");
        assertThat(sentinel.exit()).as(sentinel.err()).isZero();
        assertThat(sentinel.out()).contains("redis-url: ['redis-sentinel://:****@a:26379,b:26379#main', redis://c:6379]")
                .doesNotContain("s3cret");
        CliRun cluster = CliRun.run(Map.of(), "serve", "--engine", "redis", "--redis-url", "redis-cluster://a:7000,b:7001",
                "--print-config");
        assertThat(cluster.exit()).as(cluster.err()).isZero();
        assertThat(cluster.out()).containsPattern("\nredis-url: \\['?redis-cluster://a:7000,b:7001'?]    # flag");

        Path yaml = dir.resolve("cluster.yaml");
        Files.writeString(yaml, "engine: redis\nredis-url: redis://127.0.0.1:6379\n");
        CliRun file = CliRun.run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(file.exit()).as(file.err()).isZero();
        assertThat(file.out()).contains("engine: redis    # file " + yaml).contains("redis-url: [redis://127.0.0.1:6379]    # file");
    }

    @Test
    void impossibleCombinationsAreRefusedInOneSentence() {
        String[][] cases = {
                {"--engine", "postgres"}, {"--engine postgres must be memory or redis"},
                {"--engine", "redis"}, {"--engine redis needs --redis-url"},
                {"--broker", "nats", "--nats-url", "nats://127.0.0.1:4222"}, {"--broker nats needs --engine redis"},
                {"--engine", "redis", "--redis-url", "redis://x:1", "--broker", "nats"}, {"--broker nats needs --nats-url"},
                {"--redis-url", "redis://127.0.0.1:6379"}, {"--redis-url redis://127.0.0.1:6379 needs --engine redis"},
                {"--engine", "redis", "--redis-url", "redis://x:1", "--nats-url", "nats://127.0.0.1:4222"},
                {"--nats-url nats://127.0.0.1:4222 needs --broker nats"},
                {"--engine", "redis", "--redis-url", "http://x:1"}, {"--redis-url http://x:1 must start with redis://"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = new String[cases[i].length + 2];
            args[0] = "serve";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            args[args.length - 1] = "--print-config";
            CliRun r = CliRun.run(Map.of(), args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains(cases[i + 1][0]);
        }
    }
}
