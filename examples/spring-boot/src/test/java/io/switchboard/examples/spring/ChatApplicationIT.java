package io.switchboard.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.client.Message;
import io.switchboard.client.Payloads;
import io.switchboard.client.SubscriptionListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.SwitchboardException;
import io.switchboard.embedded.Switchboard;
import io.switchboard.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example application on random ports, driven over HTTP, with the Java SDK and in headless Chromium. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"switchboard.port=0", "switchboard.io-threads=1", "switchboard.drain-window=0s"})
class ChatApplicationIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Switchboard switchboard;

    @Test
    void rolesDecideAdminChannelsAndAnnouncementsReachTheSdk() throws Exception {
        // Spring Security authenticates; the application hands out node tokens for who it authenticated.
        assertThat(get("/api/token", null).statusCode()).isEqualTo(401);
        String aliceToken = Payloads.stringField(get("/api/token", "alice:alice-password").body(), "token");
        String bobToken = Payloads.stringField(get("/api/token", "bob:bob-password").body(), "token");

        try (SwitchboardClient alice = SwitchboardClient.builder(switchboard.webSocketUrl()).token(aliceToken).build();
             SwitchboardClient bob = SwitchboardClient.builder(switchboard.webSocketUrl()).token(bobToken).build()) {
            alice.connect().get(10, TimeUnit.SECONDS);
            bob.connect().get(10, TimeUnit.SECONDS);
            List<Message> announcements = new CopyOnWriteArrayList<>();
            var news = alice.subscribe("chat:announcements", announcements::add);
            var ops = bob.subscribe("admin:ops", m -> { });
            await().atMost(Duration.ofSeconds(10)).until(() -> news.isSubscribed() && ops.isSubscribed());
            // The subscribe hook asks the application's user store: alice has no ROLE_ADMIN.
            assertThat(refusal(alice, "admin:ops")).isEqualTo("forbidden");

            assertThat(post("/api/announce", "alice:alice-password", "{\"text\":\"not allowed\"}").statusCode()).isEqualTo(403);
            HttpResponse<String> posted = post("/api/announce", "bob:bob-password", "{\"text\":\"lunch at noon\"}");
            assertThat(posted.statusCode()).isEqualTo(200);
            assertThat(posted.body()).contains("\"offset\":1");
            await().atMost(Duration.ofSeconds(10)).until(() -> !announcements.isEmpty());
            assertThat(announcements).hasSize(1); // alice's refused post published nothing
            assertThat(Payloads.stringField(announcements.get(0).payload(), "text")).isEqualTo("lunch at noon");
            assertThat(Payloads.stringField(announcements.get(0).payload(), "by")).isEqualTo("bob");
        }
    }

    @Test
    void theBrowserPageTalksToTheSdkThroughTheEmbeddedNode() throws Exception {
        Tools.path("chromium");
        Path e2e = Path.of("src/test/e2e").toAbsolutePath();
        Tools.npmCi(e2e, "playwright-core");
        String marker = Long.toString(System.nanoTime(), 36);
        String bobToken = Payloads.stringField(get("/api/token", "bob:bob-password").body(), "token");
        try (SwitchboardClient bob = SwitchboardClient.builder(switchboard.webSocketUrl()).token(bobToken).build()) {
            bob.connect().get(10, TimeUnit.SECONDS);
            List<Message> lobby = new CopyOnWriteArrayList<>();
            var sub = bob.subscribe("chat:lobby", lobby::add);
            await().atMost(Duration.ofSeconds(10)).until(sub::isSubscribed);

            Process script = new ProcessBuilder(Tools.path("node"), "chat-page.mjs", "http://127.0.0.1:" + port, marker)
                    .directory(e2e.toFile()).redirectErrorStream(true).start();
            StringBuffer output = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                    }
                } catch (java.io.IOException ignored) {
                    // the script ended
                }
            });
            reader.start();
            try {
                // The browser (alice, signed in with Spring Security) says something; the SDK answers it.
                await().atMost(Duration.ofSeconds(40)).until(() -> lobby.stream()
                        .anyMatch(m -> ("from-browser-" + marker).equals(Payloads.stringField(m.payload(), "text"))));
                assertThat(lobby.get(0).from()).isEqualTo("alice");
                bob.publish("chat:lobby", "{\"text\":\"from-sdk-" + marker + "\"}").get(10, TimeUnit.SECONDS);
                assertThat(script.waitFor(40, TimeUnit.SECONDS)).as("the script ended:\n%s", output).isTrue();
                reader.join(5000);
                assertThat(script.exitValue()).as("chat-page.mjs:\n%s", output).isZero();
                assertThat(output.toString()).contains("e2e: connected as alice; admin:ops refused").contains("e2e: ok");
            } finally {
                script.destroyForcibly();
            }
        }
    }

    @Test
    void theAppServesTheBrowserPageAndReportsTheNodeInItsHealth() throws Exception {
        assertThat(get("/", null).body()).contains("<script type=\"module\" src=\"/app.js\">");
        assertThat(get("/sb/switchboard.js", null).body()).contains("export class SwitchboardClient");
        HttpResponse<String> health = get("/actuator/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"switchboard\":{").contains("\"engine\":\"memory\"").contains("\"status\":\"UP\"");
    }

    private HttpResponse<String> get(String path, String basic) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (basic != null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String basic, String json) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static String refusal(SwitchboardClient c, String channel) throws Exception {
        CompletableFuture<String> code = new CompletableFuture<>();
        c.subscribe(channel, new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onUnsubscribed(SwitchboardException reason) {
                code.complete(reason.code());
            }
        });
        return code.get(10, TimeUnit.SECONDS);
    }
}
