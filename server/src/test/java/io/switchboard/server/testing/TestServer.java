package io.switchboard.server.testing;

import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.config.LimitsConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A real node on an ephemeral loopback port, with a known secret so tests can mint tokens. */
public final class TestServer implements AutoCloseable {

    public static final String SECRET = "test-secret-test-secret-test-secret!";
    /** The limits of {@link #config()}: the defaults without the command and upgrade rates. */
    public static final LimitsConfig LIMITS = LimitsConfig.DEFAULT.withCommandsPerSecond(0).withNewConnectionsPerSecondPerIp(0);

    public final SwitchboardServer server;
    private final TokenMinter minter = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8));

    private TestServer(ServerConfig config, io.switchboard.server.engine.Engine engine) throws InterruptedException {
        this.server = new SwitchboardServer(config, engine).start();
    }

    /**
     * Defaults as documented, but port 0, a known secret, a 1 s drain window, and no command or upgrade
     * rate limits (tests that flood on purpose would hit them; LimitsIT turns them on).
     */
    public static ServerConfig config() {
        return new ServerConfig().port(0).jwtSecret(SECRET).drainWindow(Duration.ofSeconds(1)).ioThreads(2)
                .limits(LIMITS);
    }

    public static TestServer start(ServerConfig config) throws InterruptedException {
        return new TestServer(config, new io.switchboard.server.engine.memory.MemoryEngine());
    }

    public static TestServer start(ServerConfig config, io.switchboard.server.engine.Engine engine) throws InterruptedException {
        return new TestServer(config, engine);
    }

    public static TestServer start() throws InterruptedException {
        return start(config());
    }

    public int port() {
        return server.port();
    }

    public String token(String user) {
        return minter.mint(user, Duration.ofHours(1));
    }

    public String token(String user, Duration ttl) {
        return minter.mint(user, ttl);
    }

    /** A token with extra claims ({@code channels}, {@code info}). */
    public String token(String user, java.util.Map<String, Object> claims) {
        try {
            com.nimbusds.jwt.JWTClaimsSet.Builder b = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(user)
                    .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000));
            claims.forEach(b::claim);
            com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                    new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256), b.build());
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public WsClient client(String user, java.util.Map<String, Object> claims) throws Exception {
        WsClient c = WsClient.to(port()).token(token(user, claims)).connect();
        c.awaitType(io.switchboard.protocol.MessageType.WELCOME);
        return c;
    }

    /** A connected client for {@code user} that has read its welcome. */
    public WsClient client(String user) throws Exception {
        WsClient c = WsClient.to(port()).token(token(user)).connect();
        c.awaitType(io.switchboard.protocol.MessageType.WELCOME);
        return c;
    }

    @Override
    public void close() {
        server.close();
    }
}
