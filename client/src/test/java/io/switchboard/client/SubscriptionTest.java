package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.StreamPosition;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Subscriptions across connections: resubscribe with since, de-duplication by offset, endings. */
class SubscriptionTest {

    final FakeTransport transport = new FakeTransport();
    final FakeScheduler clock = new FakeScheduler();
    final Recorder recorder = new Recorder();
    final SwitchboardClient client = SwitchboardClient.builder("ws://127.0.0.1:1/ws").token("t").transport(transport)
            .scheduler(clock).loopExecutor(Runnable::run).callbackExecutor(Runnable::run).random(new Random(1))
            .listener(recorder).build();

    static String msg(String channel, String epoch, long offset) {
        return "{\"v\":1,\"type\":\"message\",\"channel\":\"" + channel + "\",\"offset\":" + offset + ",\"epoch\":\"" + epoch
                + "\",\"ts\":1,\"from\":\"bob\",\"payload\":" + offset + "}";
    }

    static String ack(Envelope cmd, String payload) {
        return CommandsTest.ack(cmd, payload);
    }

    Envelope lastSubscribe(FakeTransport.Conn conn) {
        return conn.sent().stream().filter(e -> e.type() == MessageType.SUBSCRIBE).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void resubscribesFromTheLastDeliveredOffsetAndDropsDuplicates() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("chat:lobby", seen);
        client.connect();
        FakeTransport.Conn c1 = transport.last().accept();
        Envelope s1 = lastSubscribe(c1);
        assertThat(s1.since()).isNull();
        c1.push(ack(s1, "{\"epoch\":\"E\",\"offset\":3,\"recovered\":false}"));
        assertThat(sub.position()).isEqualTo(new StreamPosition("E", 3));
        c1.push("[" + msg("chat:lobby", "E", 4) + "," + msg("chat:lobby", "E", 5) + "]");
        c1.drop();
        clock.advance(recorder.lastDisconnect().retryIn());
        FakeTransport.Conn c2 = transport.last().accept();
        Envelope s2 = lastSubscribe(c2);
        assertThat(s2.since()).isEqualTo(new StreamPosition("E", 5));
        c2.push(ack(s2, "{\"epoch\":\"E\",\"offset\":7,\"recovered\":true}"));
        // The replay overlaps what was delivered (5), then live messages follow, one of them twice.
        c2.push("[" + msg("chat:lobby", "E", 5) + "," + msg("chat:lobby", "E", 6) + "," + msg("chat:lobby", "E", 7) + "]");
        c2.push(msg("chat:lobby", "E", 7));
        c2.push(msg("chat:lobby", "E", 8));
        assertThat(seen.offsets()).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(seen.acks).extracting(SubscribeResult::resubscribed).containsExactly(false, true);
        assertThat(seen.acks.get(1).recovered()).isTrue();
        assertThat(seen.acks.get(1).mayHaveMissedMessages()).isFalse();
    }

    @Test
    void aFailedRecoveryIsReportedAndTheNewPositionTakesOver() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("chat:lobby", seen);
        client.connect();
        FakeTransport.Conn c1 = transport.last().accept();
        c1.push(ack(lastSubscribe(c1), "{\"epoch\":\"E\",\"offset\":0,\"recovered\":false}"));
        c1.push(msg("chat:lobby", "E", 1));
        c1.serverClose(1001, "server shutting down");
        clock.advance(recorder.lastDisconnect().retryIn());
        FakeTransport.Conn c2 = transport.last().accept();
        assertThat(lastSubscribe(c2).since()).isEqualTo(new StreamPosition("E", 1));
        c2.push(ack(lastSubscribe(c2), "{\"epoch\":\"F\",\"offset\":0,\"recovered\":false,\"reason\":\"epoch_changed\"}"));
        assertThat(seen.acks.get(1).mayHaveMissedMessages()).isTrue();
        assertThat(seen.acks.get(1).reason()).isEqualTo("epoch_changed");
        assertThat(sub.position()).isEqualTo(new StreamPosition("F", 0));
        c2.push(msg("chat:lobby", "F", 1));
        assertThat(seen.messages).extracting(Message::epoch).containsExactly("E", "F");
    }

    @Test
    void whenRecoveryIsForbiddenTheSubscriptionCarriesOnWithoutIt() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("chat:nohistory", seen);
        client.connect();
        FakeTransport.Conn c1 = transport.last().accept();
        c1.push(ack(lastSubscribe(c1), "{\"epoch\":\"E\",\"offset\":4,\"recovered\":false}"));
        c1.drop();
        clock.advance(recorder.lastDisconnect().retryIn());
        FakeTransport.Conn c2 = transport.last().accept();
        Envelope withSince = lastSubscribe(c2);
        assertThat(withSince.since()).isNotNull();
        c2.push("{\"v\":1,\"type\":\"error\",\"id\":" + withSince.id().text()
                + ",\"code\":\"forbidden\",\"message\":\"recover history of chat:nohistory is not allowed\",\"retryable\":false}");
        Envelope plain = lastSubscribe(c2);
        assertThat(plain.id()).isNotEqualTo(withSince.id());
        assertThat(plain.since()).isNull();
        c2.push(ack(plain, "{\"epoch\":\"E\",\"offset\":9,\"recovered\":false}"));
        assertThat(sub.isActive()).isTrue();
        assertThat(sub.isSubscribed()).isTrue();
        assertThat(seen.ended).isEmpty();
        assertThat(seen.acks.get(1).mayHaveMissedMessages()).isTrue();
    }

    @Test
    void unsubscribedWithUnavailableResubscribesFromTheLastPositionOnTheSameConnection() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("chat:gap", seen);
        client.connect();
        FakeTransport.Conn c1 = transport.last().accept();
        Envelope s1 = lastSubscribe(c1);
        c1.push(ack(s1, "{\"epoch\":\"E\",\"offset\":3,\"recovered\":false}"));
        c1.push(msg("chat:gap", "E", 4));
        c1.push("{\"v\":1,\"type\":\"unsubscribed\",\"channel\":\"chat:gap\",\"code\":\"unavailable\",\"message\":\"link lost\"}");
        Envelope s2 = lastSubscribe(c1);
        assertThat(s2).isNotSameAs(s1);
        assertThat(s2.since()).isEqualTo(new StreamPosition("E", 4));
        assertThat(sub.isActive()).isTrue();
        assertThat(seen.ended).isEmpty();
        c1.push(ack(s2, "{\"epoch\":\"E\",\"offset\":5,\"recovered\":true}"));
        c1.push(msg("chat:gap", "E", 5));
        assertThat(seen.offsets()).containsExactly(4L, 5L);
        assertThat(sub.isSubscribed()).isTrue();
    }

    @Test
    void aSubscribeOvertakenByUnsubscribedUnavailableIsSentAgain() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("chat:race", seen);
        client.connect();
        FakeTransport.Conn c1 = transport.last().accept();
        Envelope s1 = lastSubscribe(c1);
        // The node loses messages while this subscribe is still under way: it ends the subscription, and
        // then answers the subscribe with not_subscribed.
        c1.push("{\"v\":1,\"type\":\"unsubscribed\",\"channel\":\"chat:race\",\"code\":\"unavailable\",\"message\":\"x\"}");
        c1.push("{\"v\":1,\"type\":\"error\",\"id\":" + s1.id().text()
                + ",\"code\":\"not_subscribed\",\"message\":\"unsubscribed before the subscribe completed\",\"retryable\":false}");
        Envelope s2 = lastSubscribe(c1);
        assertThat(s2).isNotSameAs(s1);
        c1.push(ack(s2, "{\"epoch\":\"E\",\"offset\":2,\"recovered\":false}"));
        assertThat(sub.isSubscribed()).isTrue();
        assertThat(seen.ended).isEmpty();
    }

    @Test
    void unsubscribeIsIdempotentAndStopsDelivery() {
        Inbox seen = new Inbox();
        Subscription sub = client.subscribe("news", seen);
        client.connect();
        FakeTransport.Conn conn = transport.last().accept();
        conn.push(ack(lastSubscribe(conn), null));
        assertThat(sub.isSubscribed()).isTrue();
        var first = sub.unsubscribe();
        var second = sub.unsubscribe();
        assertThat(sub.isActive()).isFalse();
        List<Envelope> unsubscribes = conn.sent().stream().filter(e -> e.type() == MessageType.UNSUBSCRIBE).toList();
        assertThat(unsubscribes).hasSize(1);
        conn.push("{\"v\":1,\"type\":\"message\",\"channel\":\"news\",\"ts\":1,\"payload\":1}");
        conn.push(ack(unsubscribes.get(0), null));
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(seen.messages).isEmpty();
        // The channel is free again.
        client.subscribe("news", m -> { });
    }

    @Test
    void aSubscriptionIsSentOncePerConnectionAndSurvivesAFinalCloseForTheNextConnect() {
        Inbox seen = new Inbox();
        java.util.ArrayDeque<Runnable> loopTasks = new java.util.ArrayDeque<>();
        SwitchboardClient client = SwitchboardClient.builder("ws://127.0.0.1:1/ws").token("t").transport(transport)
                .scheduler(clock).loopExecutor(loopTasks::add).callbackExecutor(Runnable::run).listener(recorder).build();
        Runnable runLoop = () -> {
            while (!loopTasks.isEmpty()) {
                loopTasks.poll().run();
            }
        };
        client.connect();
        runLoop.run();
        FakeTransport.Attempt attempt = transport.last();
        attempt.accept();
        // Registered after the welcome arrived but before the client's loop handled it: the welcome sends
        // the subscribe, and nothing sends it a second time.
        Subscription sub = client.subscribe("chat:once", seen);
        runLoop.run();
        FakeTransport.Conn conn = attempt.conn;
        assertThat(conn.sent()).filteredOn(e -> e.type() == MessageType.SUBSCRIBE).hasSize(1);
        conn.push(ack(lastSubscribe(conn), "{\"epoch\":\"E\",\"offset\":0,\"recovered\":false}"));
        runLoop.run();
        assertThat(sub.isSubscribed()).isTrue();
        // The server stops the client for good; a later connect() subscribes again.
        conn.serverClose(4500, "unauthorized");
        runLoop.run();
        assertThat(sub.isSubscribed()).isFalse();
        assertThat(sub.isActive()).isTrue();
        client.connect();
        runLoop.run();
        FakeTransport.Conn next = transport.last().accept();
        runLoop.run();
        assertThat(lastSubscribe(next).since()).isEqualTo(new StreamPosition("E", 0));
        assertThat(seen.acks).hasSize(1);
    }

    @Test
    void oneSubscriptionPerChannel() {
        client.subscribe("a", m -> { });
        assertThatThrownBy(() -> client.subscribe("a", m -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRefusedSubscribeEndsTheSubscriptionAndARetryableOneIsRetried() {
        Inbox refused = new Inbox();
        Inbox retried = new Inbox();
        Subscription r = client.subscribe("secret:x", refused);
        Subscription t = client.subscribe("busy:x", retried);
        client.connect();
        FakeTransport.Conn conn = transport.last().accept();
        List<Envelope> subs = conn.sent();
        Envelope forSecret = subs.stream().filter(e -> e.channel().equals("secret:x")).findFirst().orElseThrow();
        Envelope forBusy = subs.stream().filter(e -> e.channel().equals("busy:x")).findFirst().orElseThrow();
        conn.push("{\"v\":1,\"type\":\"error\",\"id\":" + forSecret.id().text() + ",\"code\":\"forbidden\",\"message\":\"no\",\"retryable\":false}");
        conn.push("{\"v\":1,\"type\":\"error\",\"id\":" + forBusy.id().text() + ",\"code\":\"unavailable\",\"message\":\"later\",\"retryable\":true}");
        assertThat(r.isActive()).isFalse();
        assertThat(refused.ended).extracting(SwitchboardException::code).containsExactly("forbidden");
        assertThat(t.isActive()).isTrue();
        assertThat(retried.errors).extracting(SwitchboardException::code).containsExactly("unavailable");
        int before = conn.sent().size();
        clock.advanceMillis(500); // the first retry waits at most min delay
        assertThat(conn.sent()).hasSize(before + 1);
        assertThat(conn.lastSent().channel()).isEqualTo("busy:x");
    }

    @Test
    void presenceUpdatesReachTheirSubscription() {
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        client.subscribe("chat:lobby", new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onPresence(PresenceEvent event) {
                events.add(event);
            }
        });
        client.connect();
        FakeTransport.Conn conn = transport.last().accept();
        conn.push("{\"v\":1,\"type\":\"presenceUpdate\",\"channel\":\"chat:lobby\",\"payload\":{\"userId\":\"bob\",\"status\":\"offline\",\"timestamp\":7}}");
        assertThat(events).containsExactly(new PresenceEvent("chat:lobby", "bob", false, 7));
    }

    @Test
    void presenceDiffsReachOnPresenceDiffOrOneOnPresencePerUserAndCountsOnPresenceCount() {
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        List<PresenceDiff> diffs = new CopyOnWriteArrayList<>();
        List<Long> counts = new CopyOnWriteArrayList<>();
        client.subscribe("chat:old", new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onPresence(PresenceEvent event) {
                events.add(event);
            }
        });
        client.subscribe("chat:new", new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onPresenceDiff(PresenceDiff diff) {
                diffs.add(diff);
            }

            @Override
            public void onPresenceCount(String channel, long users) {
                counts.add(users);
            }
        });
        client.connect();
        FakeTransport.Conn conn = transport.last().accept();
        conn.push("[{\"v\":1,\"type\":\"presenceDiff\",\"channel\":\"chat:old\",\"payload\":{\"joins\":[\"ann\"],\"leaves\":[\"bo\"],\"users\":1}},"
                + "{\"v\":1,\"type\":\"presenceDiff\",\"channel\":\"chat:new\",\"payload\":{\"joins\":[\"cy\",\"dee\"],\"leaves\":[],\"users\":2}},"
                + "{\"v\":1,\"type\":\"presenceCount\",\"channel\":\"chat:new\",\"payload\":{\"users\":5000}}]");
        assertThat(events).containsExactly(new PresenceEvent("chat:old", "ann", true, 0), new PresenceEvent("chat:old", "bo", false, 0));
        assertThat(diffs).containsExactly(new PresenceDiff("chat:new", List.of("cy", "dee"), List.of(), 2));
        assertThat(counts).containsExactly(5000L);
    }
}
