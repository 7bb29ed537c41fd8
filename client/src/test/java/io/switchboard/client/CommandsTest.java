package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Commands: replies by id, the offline queue, timeouts, and failures on disconnect and close. */
class CommandsTest {

    final FakeTransport transport = new FakeTransport();
    final FakeScheduler clock = new FakeScheduler();
    final Recorder recorder = new Recorder();

    SwitchboardClient client(Consumer<SwitchboardClientBuilder> extra) {
        SwitchboardClientBuilder b = SwitchboardClient.builder("ws://127.0.0.1:1/ws").token("t").transport(transport)
                .scheduler(clock).loopExecutor(Runnable::run).callbackExecutor(Runnable::run).random(new Random(1))
                .listener(recorder);
        extra.accept(b);
        return b.build();
    }

    static SwitchboardException failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
        } catch (ExecutionException e) {
            return (SwitchboardException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("not failed");
    }

    static String ack(Envelope command, String payload) {
        return "{\"v\":1,\"type\":\"ack\",\"id\":" + command.id().text() + (payload == null ? "" : ",\"payload\":" + payload) + "}";
    }

    @Test
    void publishCompletesWithItsAckAndFailsWithTheServersError() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        CompletableFuture<PublishResult> ok = c.publish("chat:lobby", "{\"text\":\"hi\"}", "key-1");
        Envelope sent = conn.lastSent();
        assertThat(sent.type()).isEqualTo(MessageType.PUBLISH);
        assertThat(sent.payloadText()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(sent.idempotencyKey()).isEqualTo("key-1");
        CompletableFuture<PublishResult> refused = c.publish("chat:lobby", "1");
        Envelope second = conn.lastSent();
        // Replies may come in any order; they are matched by id.
        conn.push("{\"v\":1,\"type\":\"error\",\"id\":" + second.id().text()
                + ",\"code\":\"forbidden\",\"message\":\"not for you\",\"retryable\":false}");
        conn.push(ack(sent, "{\"offset\":42,\"epoch\":\"Qx81\"}"));
        assertThat(ok.join()).isEqualTo(new PublishResult("Qx81", 42));
        SwitchboardException e = failure(refused);
        assertThat(e.code()).isEqualTo("forbidden");
        assertThat(e.errorCode()).isEqualTo(io.switchboard.protocol.ErrorCode.FORBIDDEN);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("not for you");
    }

    @Test
    void programmingErrorsThrowAtOnce() {
        SwitchboardClient c = client(b -> { });
        assertThatThrownBy(() -> c.publish("bad name", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.publish("chat:lobby", "{not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.publish("chat:lobby", "1 2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.subscribe(":x", m -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commandsWaitForTheConnectionInOrderAfterTheSubscribes() {
        SwitchboardClient c = client(b -> { });
        CompletableFuture<PublishResult> p1 = c.publish("chat:a", "1");
        c.subscribe("chat:a", m -> { });
        CompletableFuture<PublishResult> p2 = c.publish("chat:a", "2");
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        List<Envelope> sent = conn.sent();
        assertThat(sent).extracting(Envelope::type).containsExactly(MessageType.SUBSCRIBE, MessageType.PUBLISH, MessageType.PUBLISH);
        assertThat(sent.subList(1, 3)).extracting(Envelope::payloadText).containsExactly("1", "2");
        assertThat(conn.frames).as("what queued while the first frame was written goes out as one batch").hasSizeLessThanOrEqualTo(3);
        assertThat(p1).isNotDone();
        conn.push("[" + ack(sent.get(0), null) + "," + ack(sent.get(1), null) + "," + ack(sent.get(2), null) + "]");
        assertThat(p1).isCompleted();
        assertThat(p2).isCompleted();
    }

    @Test
    void theOfflineQueueIsBoundedOrOff() {
        SwitchboardClient queued = client(b -> b.maxQueuedCommands(2));
        queued.publish("a", "1");
        queued.publish("a", "2");
        assertThat(failure(queued.publish("a", "3")).code()).isEqualTo(SwitchboardException.QUEUE_FULL);

        SwitchboardClient failFast = client(b -> b.maxQueuedCommands(0));
        SwitchboardException e = failure(failFast.publish("a", "1"));
        assertThat(e.code()).isEqualTo(SwitchboardException.NOT_CONNECTED);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void everyCommandTimesOutIncludingTimeSpentQueued() {
        SwitchboardClient c = client(b -> b.commandTimeout(Duration.ofSeconds(2)));
        CompletableFuture<PublishResult> queued = c.publish("a", "1");
        clock.advanceMillis(1_000);
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        CompletableFuture<Duration> ping = c.ping();
        clock.advanceMillis(999);
        assertThat(queued).isNotDone();
        clock.advanceMillis(1);
        assertThat(failure(queued).code()).isEqualTo(SwitchboardException.TIMEOUT);
        assertThat(ping).isNotDone();
        clock.advanceMillis(1_000);
        assertThat(failure(ping).code()).isEqualTo(SwitchboardException.TIMEOUT);
        // A late reply is ignored.
        conn.push("{\"v\":1,\"type\":\"pong\",\"id\":" + conn.lastSent().id().text() + "}");
    }

    @Test
    void pingMeasuresTheRoundTrip() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        CompletableFuture<Duration> rtt = c.ping();
        Envelope ping = conn.lastSent();
        assertThat(ping.type()).isEqualTo(MessageType.PING);
        assertThat(ping.id()).isNotNull();
        clock.advanceMillis(37);
        conn.push("{\"v\":1,\"type\":\"pong\",\"id\":" + ping.id().text() + "}");
        assertThat(rtt.join()).isEqualTo(Duration.ofMillis(37));
    }

    @Test
    void aLostConnectionFailsWhatWasSentAndKeepsWhatWasNot() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        CompletableFuture<PublishResult> sent = c.publish("a", "1");
        conn.drop();
        CompletableFuture<PublishResult> later = c.publish("a", "2");
        SwitchboardException e = failure(sent);
        assertThat(e.code()).isEqualTo(SwitchboardException.DISCONNECTED);
        assertThat(e.retryable()).isTrue();
        assertThat(later).isNotDone();
        clock.advance(recorder.lastDisconnect().retryIn());
        FakeTransport.Conn next = transport.last().accept();
        assertThat(next.lastSent().payloadText()).isEqualTo("2");
    }

    @Test
    void closeFailsEveryPendingCommandWithAClearError() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        transport.last().accept();
        CompletableFuture<PublishResult> inFlight = c.publish("a", "1");
        c.close();
        SwitchboardException e = failure(inFlight);
        assertThat(e.code()).isEqualTo(SwitchboardException.CLOSED);
        assertThat(e.getMessage()).contains("closed");
        assertThat(failure(c.publish("a", "2")).code()).isEqualTo(SwitchboardException.CLOSED);
        assertThatThrownBy(() -> c.subscribe("a", m -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCommandOverTheServersFrameLimitFailsWithoutReachingIt() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        FakeTransport.Conn conn = transport.last().accept(FakeTransport.WELCOME.replace("65536", "100"));
        String big = Payloads.quote("x".repeat(200));
        assertThat(failure(c.publish("a", big)).code()).isEqualTo(SwitchboardException.TOO_LARGE);
        assertThat(conn.frames).isEmpty();
    }

    @Test
    void historyAndPresenceRepliesAreRead() {
        SwitchboardClient c = client(b -> { });
        c.connect();
        FakeTransport.Conn conn = transport.last().accept();
        CompletableFuture<HistoryPage> page = c.history("chat:x", HistoryQuery.newest(2));
        Envelope h = conn.lastSent();
        assertThat(h.limit()).isEqualTo(2);
        assertThat(h.reverse()).isTrue();
        conn.push(ack(h, "{\"epoch\":\"E\",\"offset\":9,\"publications\":[{\"offset\":9,\"ts\":5,\"from\":\"bob\",\"payload\":{\"a\": [1, 2]}},"
                + "{\"offset\":8,\"ts\":4,\"payload\":\"x\"}]}"));
        HistoryPage p = page.join();
        assertThat(p.epoch()).isEqualTo("E");
        assertThat(p.messages()).extracting(Message::offset).containsExactly(9L, 8L);
        assertThat(p.messages().get(0).payload()).isEqualTo("{\"a\": [1, 2]}");
        assertThat(p.messages().get(0).from()).isEqualTo("bob");
        assertThat(p.messages().get(1).from()).isNull();

        CompletableFuture<Presence> who = c.presence("chat:x");
        conn.push(ack(conn.lastSent(), "{\"clients\":[{\"clientId\":\"s1\",\"userId\":\"alice\",\"info\":{\"n\":1}}],\"users\":1}"));
        assertThat(who.join()).isEqualTo(new Presence(List.of(new Presence.Client("s1", "alice", "{\"n\":1}")), 1, 1, null));

        // Paged: limit and cursor go out, the cursor of the answer comes back; presence() follows it.
        CompletableFuture<Presence> all = c.presence("chat:x");
        assertThat(conn.lastSent().limit()).isEqualTo(1000);
        conn.push(ack(conn.lastSent(), "{\"more\":true,\"cursor\":\"czE.1\",\"clients\":[{\"clientId\":\"s1\",\"userId\":\"alice\"}],\"users\":2,\"connections\":2}"));
        assertThat(conn.lastSent().cursor()).isEqualTo("czE.1");
        conn.push(ack(conn.lastSent(), "{\"clients\":[{\"clientId\":\"s2\",\"userId\":\"bob\"}],\"users\":2,\"connections\":2}"));
        assertThat(all.join().clients()).extracting(Presence.Client::userId).containsExactly("alice", "bob");
        assertThat(all.join().cursor()).isNull();
    }
}
