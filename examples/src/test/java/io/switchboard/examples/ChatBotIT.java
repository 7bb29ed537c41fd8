package io.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.client.Message;
import io.switchboard.client.Payloads;
import io.switchboard.client.Subscription;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chat bot on a real node bound to loopback (so /demo/token works), answering a user. */
class ChatBotIT {

    @Test
    void joinsTheLobbyAndAnswers() throws Exception {
        SwitchboardServer node = new SwitchboardServer(new ServerConfig().bind("127.0.0.1").port(0).ioThreads(1)).start();
        String http = "http://127.0.0.1:" + node.port();
        try (ChatBot bot = ChatBot.start(http, "bot").get(30, TimeUnit.SECONDS);
             SwitchboardClient alice = SwitchboardClient.builder(http.replace("http", "ws") + "/ws")
                     .token(DemoTokens.fetch(http, "alice")).build()) {
            assertThat(bot).isNotNull();
            List<Message> heard = new CopyOnWriteArrayList<>();
            Subscription lobby = alice.subscribe(ChatBot.LOBBY, heard::add);
            alice.connect().get(30, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!lobby.isSubscribed() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            alice.publish(ChatBot.LOBBY, Payloads.object("text", "!help", "name", "Alice")).get(30, TimeUnit.SECONDS);
            alice.publish(ChatBot.LOBBY, Payloads.object("text", "hello bot", "name", "Alice")).get(30, TimeUnit.SECONDS);
            while (fromBot(heard).size() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            List<String> replies = fromBot(heard);
            assertThat(replies).anyMatch(t -> t.startsWith("@Alice: I know !help"));
            assertThat(replies).contains("@Alice: you said \"hello bot\"");
        } finally {
            node.close();
        }
    }

    private static List<String> fromBot(List<Message> heard) {
        return heard.stream().filter(m -> "bot".equals(m.from()))
                .map(m -> Payloads.stringField(m.payload(), "text"))
                .filter(t -> t.startsWith("@Alice"))
                .toList();
    }
}
