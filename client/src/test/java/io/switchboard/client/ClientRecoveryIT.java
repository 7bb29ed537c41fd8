package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Recovery across a lost connection: a subscriber cut off (through a proxy) while 500 messages are
 * published gets every one of them exactly once and in order after it reconnects, then the live ones.
 */
class ClientRecoveryIT {

    @Test
    void aReconnectingSubscriberGetsEveryMissedMessageOnceAndInOrder() throws Exception {
        String config = ServerProcess.configFile("""
                namespaces:
                  chat:
                    history-size: 1000
                  small:
                    history-size: 10
                  locked:
                    history-size: 10
                    history-access: none
                """);
        try (ServerProcess server = ServerProcess.start("--config", config);
             TcpProxy proxy = new TcpProxy(server.port)) {
            Recorder r = new Recorder();
            Inbox chat = new Inbox();
            Inbox small = new Inbox();
            Inbox locked = new Inbox();
            try (SwitchboardClient reader = SwitchboardClient.builder(proxy.url()).token(ServerProcess.token("reader"))
                         .reconnectDelay(Duration.ofMillis(100), Duration.ofSeconds(1)).listener(r).build();
                 SwitchboardClient writer = SwitchboardClient.builder(server.url()).token(ServerProcess.token("writer")).build()) {
                Subscription chatSub = reader.subscribe("chat:recovery", chat);
                Subscription smallSub = reader.subscribe("small:recovery", small);
                Subscription lockedSub = reader.subscribe("locked:recovery", locked);
                reader.connect().get(20, TimeUnit.SECONDS);
                writer.connect().get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> chatSub.isSubscribed() && smallSub.isSubscribed()
                        && lockedSub.isSubscribed());
                publish(writer, "chat:recovery", 1, 3);
                await().atMost(Duration.ofSeconds(20)).until(() -> chat.messages.size() == 3);

                proxy.refuse(true);
                proxy.cutAll();
                await().atMost(Duration.ofSeconds(20)).until(() -> !r.disconnects.isEmpty());
                assertThat(r.disconnects.get(0).willRetry()).isTrue();

                publish(writer, "chat:recovery", 4, 503); // 500 while the reader is away
                publish(writer, "small:recovery", 1, 20); // twice what "small" keeps
                assertThat(chat.messages).hasSize(3);

                proxy.refuse(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> r.welcomes.size() == 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> chat.messages.size() >= 503 && smallSub.isSubscribed());
                publish(writer, "chat:recovery", 504, 510); // live again
                await().atMost(Duration.ofSeconds(20)).until(() -> chat.messages.size() >= 510);
                writer.ping().get(20, TimeUnit.SECONDS);
                reader.ping().get(20, TimeUnit.SECONDS); // whatever the server still had for the reader has arrived

                List<String> expected = LongStream.rangeClosed(1, 510).mapToObj(Long::toString).toList();
                assertThat(chat.payloads()).as("every message exactly once, in order").isEqualTo(expected);
                long first = chat.messages.get(0).offset();
                assertThat(chat.offsets()).isEqualTo(LongStream.range(first, first + 510).boxed().toList());
                SubscribeResult resumed = chat.acks.get(chat.acks.size() - 1);
                assertThat(resumed.resubscribed()).isTrue();
                assertThat(resumed.recovered()).isTrue();
                assertThat(resumed.mayHaveMissedMessages()).isFalse();

                // Past retention the client is told, with the reason, and carries on from the new position.
                SubscribeResult notRecovered = small.acks.get(small.acks.size() - 1);
                assertThat(notRecovered.recovered()).isFalse();
                assertThat(notRecovered.reason()).isEqualTo("out_of_retention");
                assertThat(notRecovered.mayHaveMissedMessages()).isTrue();
                assertThat(smallSub.position().offset()).isEqualTo(20);
                assertThat(small.messages).isEmpty();

                // A namespace that lets the reader subscribe but not read history refuses `since`: the
                // subscription carries on without recovery instead of ending.
                await().atMost(Duration.ofSeconds(20)).until(lockedSub::isSubscribed);
                assertThat(lockedSub.isActive()).isTrue();
                assertThat(locked.ended).isEmpty();
                assertThat(locked.acks).hasSize(2);
                assertThat(locked.acks.get(1).mayHaveMissedMessages()).isTrue();
            }
        }
    }

    private static void publish(SwitchboardClient c, String channel, int from, int to) throws Exception {
        List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            acks.add(c.publish(channel, Integer.toString(i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
}
