package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ConsumersConfig;
import io.switchboard.server.config.OutboxConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The admin page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
 * {@code src/test/e2e/admin-page.mjs} through Playwright, against a real node with API keys, real
 * WebSocket clients, and traffic this test makes while the script watches the charts. The script
 * checks what the page shows; this test checks what the page did to the clients: the publish form's
 * message reaches a subscriber, and the unsubscribe and disconnect forms reach the victim's
 * connection. Screenshot: {@code target/admin-page.png}.
 */
class AdminPageIT {

    private static final String KEY = "admin-page-it-key-0123456789";
    private static final String CHANNEL = "chat:admin-e2e";
    private static final String LIVE = "admin-live";
    private static final String MARKER = "from-the-admin-page-" + Long.toString(System.nanoTime(), 36);
    private static final Path E2E = Path.of("src/test/e2e").toAbsolutePath();
    private static final Path SCREENSHOT = Path.of("target/admin-page.png").toAbsolutePath();

    @Test
    void adminPageShowsTheNodeAndDrivesTheApi() throws Exception {
        Tools.path("chromium");
        installPlaywright();
        Files.deleteIfExists(SCREENSHOT);

        try (TestServer node = TestServer.start(TestServer.config().apiKeys(List.of(KEY))
                     // An outbox whose PostgreSQL never answers (port 1): the page's Sources table must say so.
                     .consumers(new ConsumersConfig(OutboxConfig.of("jdbc:postgresql://127.0.0.1:1/test"), null)));
             WsClient subscriber = node.client("e2e-sub");
             WsClient victim = node.client("e2e-victim");
             WsClient publisher = node.client("e2e-pub")) {
            assertThat(subscriber.subscribe(CHANNEL).type()).isEqualTo(MessageType.ACK);
            assertThat(subscriber.subscribe(LIVE).type()).isEqualTo(MessageType.ACK);
            assertThat(victim.subscribe(CHANNEL).type()).isEqualTo(MessageType.ACK);

            ProcessBuilder pb = new ProcessBuilder(Tools.path("node"), "admin-page.mjs", "http://127.0.0.1:" + node.port(), KEY,
                    SCREENSHOT.toString()).directory(E2E.toFile()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("E2E_CHANNEL", CHANNEL, "E2E_LIVE", LIVE, "E2E_SUBSCRIBER", "e2e-sub",
                    "E2E_VICTIM", "e2e-victim", "E2E_MARKER", MARKER));

            ScheduledExecutorService loadThread = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger sent = new AtomicInteger();
            StringBuffer output = new StringBuffer();
            ScheduledFuture<?>[] load = new ScheduledFuture<?>[1];
            Process script = pb.start();
            try {
                // Read the script's output; start the traffic when it has seen the idle page, stop it once
                // it has seen the charts move.
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            output.append(line).append('\n');
                            System.out.println("[admin-page.mjs] " + line);
                            if (line.startsWith("e2e: load-start") && load[0] == null) {
                                load[0] = loadThread.scheduleAtFixedRate(() -> {
                                    int n = sent.incrementAndGet();
                                    // Markup in the payload: the page must show it as text.
                                    publisher.command("publish", CHANNEL,
                                            "\"payload\":{\"n\":" + n + ",\"note\":\"<img src=x onerror=window.__pwned=1>\"}");
                                }, 0, 20, TimeUnit.MILLISECONDS);
                            } else if (line.startsWith("e2e: load-seen") && load[0] != null) {
                                load[0].cancel(false);
                            }
                        }
                    } catch (IOException e) {
                        output.append("(reading the script's output failed: ").append(e).append(")\n");
                    }
                }, "admin-page-output");
                reader.start();
                if (!script.waitFor(60, TimeUnit.SECONDS)) {
                    fail("admin-page.mjs did not finish within 60 s:\n" + output);
                }
                reader.join(5000);
            } finally {
                loadThread.shutdownNow();
                if (script.isAlive()) {
                    script.descendants().forEach(ProcessHandle::destroyForcibly);
                    script.destroyForcibly();
                }
            }
            assertThat(script.exitValue()).as("admin-page.mjs failed:\n%s", output).isZero();
            assertThat(output).as("the script finished every step").contains("e2e: ok");
            assertThat(sent.get()).as("publications sent while the script watched the charts").isPositive();
            assertThat(SCREENSHOT).isNotEmptyFile();

            // The publish form's message reached the subscriber through the node.
            Envelope fromPage = subscriber.await(e -> e.type() == MessageType.MESSAGE && e.payloadText().contains(MARKER),
                    Duration.ofSeconds(10));
            assertThat(fromPage.channel()).isEqualTo(CHANNEL);
            assertThat(fromPage.payloadText()).contains("\"from\":\"admin-page\"");

            // The unsubscribe form ended the victim's subscription; the disconnect form closed it with 4005.
            Envelope unsubscribed = victim.await(e -> e.type() == MessageType.UNSUBSCRIBED, Duration.ofSeconds(10));
            assertThat(unsubscribed.channel()).isEqualTo(CHANNEL);
            assertThat(victim.awaitClose()).isEqualTo(4005);
            assertThat(subscriber.isOpen()).as("only the victim was disconnected").isTrue();
        }
    }

    /** {@code npm ci} in src/test/e2e once, when playwright-core is not installed there yet (a fresh clone). */
    static void installPlaywright() throws IOException, InterruptedException {
        Tools.npmCi(E2E, "playwright-core");
    }
}
