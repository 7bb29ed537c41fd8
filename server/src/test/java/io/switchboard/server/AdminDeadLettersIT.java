package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.testing.Tools;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The admin page's webhook dead letters in headless Chromium ({@code src/test/e2e/dead-letters.mjs}): a receiver
 * that refuses everything makes three dead letters; the page lists them, replays one with its row's button and
 * the rest with "Replay all"; once the receiver accepts, it gets the replayed ones, the row's first.
 */
class AdminDeadLettersIT {

    private static final String KEY = "admin-dead-letters-key-0123456789";
    private static final String SECRET = "dead-letters-secret-dead-letters-secret";
    private static final Path E2E = Path.of("src/test/e2e").toAbsolutePath();
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @Test
    void thePageListsAndReplaysDeadLetters() throws Exception {
        Tools.path("chromium");
        AdminPageIT.installPlaywright();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        List<String> accepted = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean ok = new java.util.concurrent.atomic.AtomicBoolean();
        receiver.createContext("/hook", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!ok.get()) {
                    ex.sendResponseHeaders(500, -1);
                    return;
                }
                Matcher m = ID.matcher(body);
                while (m.find()) {
                    accepted.add(m.group(1));
                }
                ex.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        WebhookConfig hooks = new WebhookConfig(List.of(new WebhookConfig.Endpoint("main",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", SECRET, Set.of("connect"), Set.of())),
                Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5), 50, Duration.ofSeconds(3));
        try (TestServer node = TestServer.start(TestServer.config().apiKeys(List.of(KEY)).webhooks(hooks))) {
            for (String u : List.of("ann", "ben", "cat")) {
                node.client(u).close();
            }
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest count = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/api/webhooks/dead-letters?endpoint=main")).header("X-API-Key", KEY).build();
            await().atMost(Duration.ofSeconds(15)).until(() -> http.send(count, HttpResponse.BodyHandlers.ofString()).body()
                    .contains("\"count\":3"));
            ok.set(true); // replayed events are accepted

            Process script = new ProcessBuilder(Tools.path("node"), "dead-letters.mjs", "http://127.0.0.1:" + node.port(), KEY, "main", "3")
                    .directory(E2E.toFile()).redirectErrorStream(true).start();
            String out;
            try {
                out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(script.waitFor(60, TimeUnit.SECONDS)).as("dead-letters.mjs finished").isTrue();
            } finally {
                if (script.isAlive()) {
                    script.destroyForcibly();
                }
            }
            System.out.println(out);
            assertThat(script.exitValue()).as("dead-letters.mjs:\n%s", out).isZero();
            assertThat(out).contains("e2e: ok");
            Matcher m = Pattern.compile("e2e: replayed (\\S+)").matcher(out);
            assertThat(m.find()).as("the script named the event it replayed alone").isTrue();
            String first = m.group(1);
            await().atMost(Duration.ofSeconds(15)).until(() -> accepted.size() >= 3);
            assertThat(accepted.get(0)).as("the row's replay went first").isEqualTo(first);
            assertThat(Set.copyOf(accepted)).hasSize(3);
        } finally {
            receiver.stop(0);
        }
    }
}
