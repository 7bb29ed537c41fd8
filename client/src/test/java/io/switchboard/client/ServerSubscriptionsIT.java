package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The server's own subscriptions in the Java client, against a real node: the personal channel arrives as a
 * server subscription with the listener the builder gives; after the connection is cut while messages are
 * published, it recovers the gap like a subscription of its own, every message once and in order.
 */
class ServerSubscriptionsIT {

    @Test
    void thePersonalChannelIsAServerSubscriptionThatRecoversAfterAReconnect() throws Exception {
        String config = ServerProcess.configFile("""
                namespaces:
                  user:
                    history-size: 1000
                hooks:
                  personal-namespace: user
                """);
        try (ServerProcess server = ServerProcess.start("--config", config);
             TcpProxy proxy = new TcpProxy(server.port)) {
            Recorder r = new Recorder();
            ConcurrentHashMap<String, Inbox> inboxes = new ConcurrentHashMap<>();
            try (SwitchboardClient reader = SwitchboardClient.builder(proxy.url()).token(ServerProcess.token("reader"))
                         .reconnectDelay(Duration.ofMillis(100), Duration.ofSeconds(1)).listener(r)
                         .onServerSubscription(channel -> inboxes.computeIfAbsent(channel, c -> new Inbox())).build();
                 // Another connection of the same user: the only one besides the backend that may publish there.
                 SwitchboardClient writer = SwitchboardClient.builder(server.url()).token(ServerProcess.token("reader")).build()) {
                reader.connect().get(20, TimeUnit.SECONDS);
                writer.connect().get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> inboxes.containsKey("user:#reader")
                        && !inboxes.get("user:#reader").acks.isEmpty());
                Inbox inbox = inboxes.get("user:#reader");
                assertThat(inboxes.keySet()).containsExactly("user:#reader");
                assertThat(inbox.acks.get(0).resubscribed()).isFalse();
                publish(writer, 1, 3);
                await().atMost(Duration.ofSeconds(20)).until(() -> inbox.messages.size() == 3);

                proxy.refuse(true);
                proxy.cutAll();
                await().atMost(Duration.ofSeconds(20)).until(() -> !r.disconnects.isEmpty());
                publish(writer, 4, 203); // 200 while the reader is away
                proxy.refuse(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> r.welcomes.size() == 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> inbox.messages.size() >= 203);
                publish(writer, 204, 210); // live again
                await().atMost(Duration.ofSeconds(20)).until(() -> inbox.messages.size() >= 210);
                reader.ping().get(20, TimeUnit.SECONDS);

                assertThat(inbox.payloads()).as("every message exactly once, in order")
                        .isEqualTo(LongStream.rangeClosed(1, 210).mapToObj(Long::toString).toList());
                SubscribeResult resumed = inbox.acks.get(inbox.acks.size() - 1);
                assertThat(resumed.resubscribed()).isTrue();
                assertThat(inbox.ended).isEmpty();
            }
        }
    }

    private static void publish(SwitchboardClient c, int from, int to) throws Exception {
        List<CompletableFuture<PublishResult>> acks = new java.util.ArrayList<>();
        for (int i = from; i <= to; i++) {
            acks.add(c.publish("user:#reader", Integer.toString(i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
}
