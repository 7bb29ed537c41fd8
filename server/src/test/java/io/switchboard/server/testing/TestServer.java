package io.switchboard.server.testing;

import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A real node on an ephemeral loopback port, with a known secret so tests can mint tokens. */
public final class TestServer implements AutoCloseable {

    public static final String SECRET = "test-secret-test-secret-test-secret!";

    public final SwitchboardServer server;
    private final TokenMinter minter = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8));

    private TestServer(ServerConfig config) throws InterruptedException {
        this.server = new SwitchboardServer(config).start();
    }

    /** Defaults as documented, but port 0, a known secret and a 1 s drain window. */
    public static ServerConfig config() {
        return new ServerConfig().port(0).jwtSecret(SECRET).drainWindow(Duration.ofSeconds(1)).ioThreads(2);
    }

    public static TestServer start(ServerConfig config) throws InterruptedException {
        return new TestServer(config);
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
