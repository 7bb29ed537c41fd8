package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real server process: SIGTERM drains every session with 1001 and the process exits 0. */
class ShutdownIT {

    @Test
    void sigtermClosesClientsWith1001AndExitsZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("switchboard-shutdown", ".log");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "io.switchboard.server.cli.Main", "serve", "--port", Integer.toString(port),
                "--jwt-secret", TestServer.SECRET, "--drain-window", "2s")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    // still starting
                }
                assertThat(System.currentTimeMillis()).as("server start; log: %s", log).isLessThan(deadline);
                Thread.sleep(100);
            }
            io.switchboard.server.auth.TokenMinter minter = new io.switchboard.server.auth.TokenMinter(
                    TestServer.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                WsClient c = WsClient.to(port).token(minter.mint("u" + i, java.time.Duration.ofHours(1))).connect();
                c.awaitType(MessageType.WELCOME);
                clients.add(c);
            }
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            // While draining, readiness says 503 and new sessions are turned away with 1001.
            Thread.sleep(200);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("draining");
            try (WsClient late = WsClient.to(port).token(minter.mint("late", java.time.Duration.ofHours(1))).connect()) {
                assertThat(late.awaitType(MessageType.ERROR).code()).isEqualTo("unavailable");
                assertThat(late.awaitClose()).isEqualTo(1001);
            }
            for (WsClient c : clients) {
                assertThat(c.awaitClose()).isEqualTo(1001);
                c.close();
            }
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exited; log: %s", Files.readString(log)).isTrue();
            assertThat(p.exitValue()).as("exit code; log: %s", Files.readString(log)).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
        } finally {
            p.destroyForcibly();
            new File(log.toString()).delete();
        }
    }
}
