package io.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.client.Subscription;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.SwitchboardException;
import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo's /who: a real node whose rpc hook calls the tiny backend, which reads presence from the server API. */
class ChatBackendIT {

    static final String KEY = "demo-backend-key-0123456789";

    @Test
    void whoIsAnsweredByTheBackendFromPresence() throws Exception {
        try (ChatBackend backend = ChatBackend.start("http://127.0.0.1:1", KEY, 0)) {
            HooksConfig.Hook rpc = new HooksConfig.Hook("rpc", "http://127.0.0.1:" + backend.port() + "/rpc", Duration.ofSeconds(5),
                    Set.of(), Set.of(), Set.of(), HooksConfig.OnFailure.REFUSE);
            SwitchboardServer node = new SwitchboardServer(new ServerConfig().bind("127.0.0.1").port(0).ioThreads(1)
                    .apiKeys(List.of(KEY)).hooks(new HooksConfig(Map.of("rpc", rpc), 65536))).start();
            String http = "http://127.0.0.1:" + node.port();
            backend.node(http);
            try (SwitchboardClient alice = SwitchboardClient.builder(http.replace("http", "ws") + "/ws")
                         .token(DemoTokens.fetch(http, "alice")).build();
                 SwitchboardClient bob = SwitchboardClient.builder(http.replace("http", "ws") + "/ws")
                         .token(DemoTokens.fetch(http, "bob")).build()) {
                Subscription a = alice.subscribe("chat:lobby", m -> { });
                Subscription b = bob.subscribe("chat:lobby", m -> { });
                alice.connect().get(30, TimeUnit.SECONDS);
                bob.connect().get(30, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> a.isSubscribed() && b.isSubscribed());
                String who = alice.rpc("chat.who", "\"lobby\"").get(30, TimeUnit.SECONDS);
                assertThat(who).isEqualTo("{\"room\":\"lobby\",\"users\":[\"alice\",\"bob\"]}");
                ExecutionException other = org.assertj.core.api.Assertions.catchThrowableOfType(
                        () -> alice.rpc("chat.kick", "\"bob\"").get(30, TimeUnit.SECONDS), ExecutionException.class);
                assertThat(((SwitchboardException) other.getCause()).code()).isEqualTo("not_available");
            } finally {
                node.close();
            }
        }
    }
}
