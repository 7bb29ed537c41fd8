package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every range and combination rule of ServerConfig and ClusterConfig, and that a setter never changes its receiver.
 * The rules of the option groups are in their own tests ({@link LimitsConfigTest}, {@link TlsConfigTest}, {@link JwtConfigTest}).
 */
class ServerConfigTest {

    private static void refused(Supplier<?> build, String key, String reason) {
        assertThatThrownBy(build::get).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).contains(reason);
        });
    }

    @Test
    void settersReturnANewConfigAndLeaveTheOldOneAlone() {
        ServerConfig defaults = new ServerConfig();
        ServerConfig changed = defaults.port(9000).limits(LimitsConfig.DEFAULT.withMaxChannelsPerConnection(3));
        assertThat(defaults.port()).isEqualTo(8080);
        assertThat(defaults.limits().maxChannelsPerConnection()).isEqualTo(128);
        assertThat(changed.port()).isEqualTo(9000);
        assertThat(changed.limits().maxChannelsPerConnection()).isEqualTo(3);
        List<String> keys = new java.util.ArrayList<>(List.of("a-key-of-sixteen-chars"));
        ServerConfig withKeys = defaults.apiKeys(keys);
        keys.add("another-key-of-sixteen");
        assertThat(withKeys.apiKeys()).containsExactly("a-key-of-sixteen-chars");
    }

    @Test
    void portsAreZeroTo65535AndTheMetricsPortMayBeMinusOne() {
        ServerConfig c = new ServerConfig();
        assertThat(c.port(0).port()).isZero();
        assertThat(c.port(65535).port()).isEqualTo(65535);
        refused(() -> c.port(70000), "port", "is not a port number (0 to 65535)");
        refused(() -> c.port(-1), "port", "is not a port number");
        assertThat(c.metricsPort(-1).metricsPort()).isEqualTo(-1);
        refused(() -> c.metricsPort(-2), "metrics-port", "must be -1 or a port number");
        refused(() -> c.metricsPort(65536), "metrics-port", "must be -1 or a port number");
    }

    @Test
    void sizesAndCountsHaveAFloor() {
        ServerConfig c = new ServerConfig();
        refused(() -> c.maxFrameBytes(10), "max-frame-bytes", "must be at least " + ServerConfig.MIN_FRAME_BYTES);
        assertThat(c.maxFrameBytes(ServerConfig.MIN_FRAME_BYTES).maxFrameBytes()).isEqualTo(2048);
        refused(() -> c.maxQueuedBytes(0), "max-queued-bytes", "must be at least 1");
        refused(() -> c.apiMaxBodyBytes(100), "api-max-body-bytes", "must be at least 1024");
        refused(() -> c.ioThreads(-1), "io-threads", "must be at least 0");
        refused(() -> c.transport("kqueue"), "transport", "must be auto, epoll, io_uring or nio");
        refused(() -> c.maxRecover(-1), "max-recover", "must be at least 0");
        refused(() -> c.maxPresenceInfoBytes(-1), "max-presence-info-bytes", "must be at least 0");
    }

    @Test
    void durationsArePositiveWhereZeroMakesNoSense() {
        ServerConfig c = new ServerConfig();
        refused(() -> c.heartbeatInterval(Duration.ZERO), "heartbeat-interval", "must be longer than 0");
        refused(() -> c.heartbeatTimeout(Duration.ofSeconds(-1)), "heartbeat-timeout", "must be longer than 0");
        refused(() -> c.handshakeTimeout(Duration.ZERO), "handshake-timeout", "must be longer than 0");
        refused(() -> c.idempotencyWindow(Duration.ZERO), "idempotency-window", "must be longer than 0");
        refused(() -> c.presenceTtl(Duration.ZERO), "presence-ttl", "must be longer than 0");
        refused(() -> c.drainWindow(Duration.ofMillis(-1)), "drain-window", "must not be negative");
        assertThat(c.drainWindow(Duration.ZERO).drainWindow()).isZero();
    }

    @Test
    void secretsKeysUrlsAndAddresses() {
        ServerConfig c = new ServerConfig();
        refused(() -> c.jwtSecret("short"), "jwt-secret", "at least 32 bytes");
        assertThat(c.jwtSecret("").jwtSecret()).isNull();
        refused(() -> c.apiKeys(List.of("too-short")), "api-key", "at least 16 characters");
        assertThat(c.apiKeys(List.of(" ", "long-enough-api-key-1")).apiKeys()).containsExactly("long-enough-api-key-1");
        refused(() -> c.bind(" "), "bind", "must not be empty");
        refused(() -> c.metricsBind(""), "metrics-bind", "must not be empty");
    }

    @Test
    void combinationsAreCheckedTogether() {
        assertThat(new ServerConfig().checkCombinations()).isNotNull();
        refused(() -> new ServerConfig().bind("0.0.0.0").checkCombinations(), "bind", "--behind-tls-proxy");
        assertThat(new ServerConfig().bind("0.0.0.0").tls(TlsConfig.NONE.withBehindProxy(true)).checkCombinations().bind()).isEqualTo("0.0.0.0");
        assertThat(new ServerConfig().bind("0.0.0.0").tls(TlsConfig.NONE.withFiles(java.nio.file.Path.of("cert.pem"),
                java.nio.file.Path.of("key.pem"))).checkCombinations().bind()).isEqualTo("0.0.0.0");
        refused(() -> new ServerConfig().port(9100).metricsPort(9100).checkCombinations(), "metrics-port", "must differ from --port");
        refused(() -> new ServerConfig().maxFrameBytes(8192).maxQueuedBytes(4096).checkCombinations(), "max-queued-bytes",
                "must be at least --max-frame-bytes (8192)");
    }

    @Test
    void clusterCombinationsThatCannotRunAreRefusedWhenBuilt() {
        List<String> redis = List.of("redis://127.0.0.1:6379");
        assertThat(new ClusterConfig("redis", redis, null, null).broker()).isEqualTo("redis");
        assertThat(new ClusterConfig(null, null, null, null)).isEqualTo(ClusterConfig.MEMORY);
        refused(() -> new ClusterConfig("postgres", List.of(), null, null), "engine", "must be memory or redis");
        refused(() -> new ClusterConfig("redis", List.of(), null, null), "engine", "needs --redis-url");
        refused(() -> new ClusterConfig("memory", redis, null, null), "redis-url", "needs --engine redis");
        refused(() -> new ClusterConfig("memory", List.of(), "nats", "nats://127.0.0.1:4222"), "broker", "needs --engine redis");
        refused(() -> new ClusterConfig("redis", redis, "nats", null), "broker", "needs --nats-url");
        refused(() -> new ClusterConfig("redis", redis, "kafka", null), "broker", "must be redis or nats");
        refused(() -> new ClusterConfig("redis", redis, "memory", null), "broker", "cannot connect nodes");
        refused(() -> new ClusterConfig("redis", redis, null, "nats://127.0.0.1:4222"), "nats-url", "needs --broker nats");
        refused(() -> new ClusterConfig("redis", List.of("http://x:1"), null, null), "redis-url", "must start with redis://");
        refused(() -> new ClusterConfig("redis", redis, "nats", "http://x:1"), "nats-url", "must start with nats://");
    }

    @Test
    void sentinelAndClusterUrlsAreCheckedWhenBuilt() {
        assertThat(new ClusterConfig("redis", List.of("redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2,[::1]:26380/2#mymaster",
                "redis://10.0.0.9:6379"), null, null).redisUrls()).hasSize(2);
        assertThat(new ClusterConfig("redis", List.of("redis-cluster://u:pw@10.0.0.1:6379,node-2.example:7000"), null, null)
                .redisUrls()).hasSize(1);
        refused(() -> new ClusterConfig("redis", List.of("redis-sentinel://10.0.0.1:26379"), null, null), "redis-url",
                "needs the name of the Sentinel-monitored primary after #");
        refused(() -> new ClusterConfig("redis", List.of("redis-sentinel://10.0.0.1:26379#"), null, null), "redis-url",
                "needs the name of the Sentinel-monitored primary after #");
        refused(() -> new ClusterConfig("redis", List.of("redis-sentinel://a:1,,b:2#m"), null, null), "redis-url",
                "has a host that is not host[:port]");
        refused(() -> new ClusterConfig("redis", List.of("redis-sentinel://a:99999#m"), null, null), "redis-url",
                "has a host that is not host[:port]");
        refused(() -> new ClusterConfig("redis", List.of("redis-cluster://10.0.0.1"), null, null), "redis-url",
                "has a host that is not host:port");
        refused(() -> new ClusterConfig("redis", List.of("redis-cluster://10.0.0.1:6379/0"), null, null), "redis-url",
                "takes only seed nodes");
        refused(() -> new ClusterConfig("redis", List.of("redis-cluster://:s3cret@"), null, null), "redis-url",
                "needs at least one host");
        refused(() -> new ClusterConfig("redis", List.of("redis-cluster://a:1", "redis://b:2"), null, null), "redis-url",
                "must be the only --redis-url");
        refused(() -> new ClusterConfig("redis", List.of("sentinel://a:1#m"), null, null), "redis-url",
                "must start with redis://, rediss://, redis-sentinel:// or redis-cluster://");
    }
}
