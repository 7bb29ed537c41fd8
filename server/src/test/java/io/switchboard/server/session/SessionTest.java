package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.memory.MemoryEngine;
import io.switchboard.server.node.Node;
import io.switchboard.server.testing.MutableClock;
import io.switchboard.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session's timers and rules on Netty's EmbeddedChannel, with the node's clock and the event loop's time
 * moved by the test: heartbeats, the pong deadline, token expiry, the close grace and the bad-input burst,
 * with no socket and no waiting. "Nothing happened" is checked by a later event that must come after it.
 */
class SessionTest {

    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final EmbeddedChannel channel = new EmbeddedChannel();
    Node node;

    Session open(ServerConfig config, Principal principal) {
        channel.freezeTime();
        node = new Node(config, new MemoryEngine(), TestServer.SECRET.getBytes(StandardCharsets.UTF_8), false, clock).start();
        Session s = new Session(node, channel, principal, "127.0.0.1", io.switchboard.protocol.WireFormat.JSON);
        s.start();
        assertThat(texts()).singleElement().asString().contains("\"type\":\"welcome\"");
        return s;
    }

    static ServerConfig config() {
        return TestServer.config().heartbeatInterval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(5));
    }

    static Principal user(String id, long expiresAtMillis) {
        return new Principal(id, false, expiresAtMillis, List.of(), null);
    }

    /** Moves the node's clock and the event loop's time together, then runs what fell due. */
    void advance(Duration d) {
        clock.advance(d);
        channel.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** The text frames written since the last call (each a JSON envelope or array). */
    List<String> texts() {
        List<String> out = new ArrayList<>();
        for (io.netty.handler.codec.http.websocketx.WebSocketFrame m : io.switchboard.server.testing.Written.frames(channel)) {
            if (m instanceof TextWebSocketFrame t) {
                out.add(t.text());
            } else if (m instanceof CloseWebSocketFrame c) {
                out.add("close " + c.statusCode());
            }
            m.release();
        }
        return out;
    }

    static void send(Session s, String json) {
        s.onFrame(json.getBytes(StandardCharsets.UTF_8), true);
    }

    @AfterEach
    void closeNode() {
        channel.finishAndReleaseAll();
        if (node != null) {
            node.close();
        }
    }

    /**
     * Past the first half of the first interval (nothing may come in it), steps the clock a millisecond at a
     * time until the first ping has gone out (SessionDeadlines.firstPing: a random moment in the second half);
     * fails if none has when the interval is over.
     */
    long awaitFirstPing() {
        advance(Duration.ofMillis(4_999));
        assertThat(texts()).as("nothing in the first half of the interval").isEmpty();
        return awaitPing(5_001, "the first interval (10 s)");
    }

    /** Steps the clock a millisecond at a time, at most {@code steps} times, until a ping goes out; returns its time. */
    long awaitPing(int steps, String within) {
        for (int ms = 0; ms < steps; ms++) {
            advance(Duration.ofMillis(1));
            List<String> out = texts();
            if (!out.isEmpty()) {
                assertThat(out).singleElement().asString().contains("\"type\":\"ping\"");
                return clock.millis();
            }
        }
        throw new AssertionError("no ping within " + within);
    }

    @Test
    void aPingGoesOutEveryIntervalAndAMissingPongClosesWith4000() {
        open(config(), user("ann", Long.MAX_VALUE));
        awaitFirstPing();
        advance(Duration.ofMillis(4_999));
        assertThat(texts()).isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(texts()).containsExactly("close 4000");
    }

    @Test
    void aPongKeepsTheConnectionAndTheNextPingComesOnTime() {
        Session s = open(config(), user("bob", Long.MAX_VALUE));
        awaitFirstPing();
        send(s, "{\"v\":1,\"type\":\"pong\"}");
        advance(Duration.ofSeconds(5)); // past the pong deadline, which the pong cleared
        advance(Duration.ofMillis(4_949));
        assertThat(texts()).as("neither a close nor the next ping yet").isEmpty();
        // the next ping, the timers' grain (50 ms) short of one interval after the first, is the sentinel
        advance(Duration.ofMillis(1));
        assertThat(texts()).singleElement().asString().contains("\"type\":\"ping\"");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void onAClockOffTheGrainEveryPingStillComesWithinAnIntervalOfTheOneBefore() {
        clock.advance(Duration.ofMillis(7)); // the welcome, and every deadline counted from it, off the 50 ms grain
        Session s = open(config(), user("gil", Long.MAX_VALUE));
        long opened = clock.millis();
        long last = awaitFirstPing();
        assertThat(last - opened).isLessThan(10_000);
        for (int i = 0; i < 3; i++) {
            send(s, "{\"v\":1,\"type\":\"pong\"}");
            long next = awaitPing(10_000, "an interval of the last ping");
            assertThat(next - last).as("ping %d", i + 2).isBetween(10_000L - 50, 10_000L - 1);
            last = next;
        }
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anExpiredTokenClosesWith4004AfterTheClockSkewGrace() {
        long expiresAt = T0.plusSeconds(3).toEpochMilli();
        open(TestServer.config().heartbeatInterval(Duration.ofMinutes(10)), user("cid", expiresAt));
        advance(Duration.ofSeconds(3 + io.switchboard.server.auth.JwtAuthenticator.CLOCK_SKEW_SECONDS).minusMillis(1));
        assertThat(texts()).isEmpty();
        advance(Duration.ofMillis(1));
        List<String> out = texts();
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).contains("\"code\":\"token_expired\"");
        assertThat(out.get(1)).isEqualTo("close 4004");
    }

    @Test
    void aCloseTheClientDoesNotAnswerEndsTheSocketAfterTheGrace() {
        Session s = open(config(), user("dee", Long.MAX_VALUE));
        s.close(io.switchboard.protocol.CloseCode.GOING_AWAY);
        assertThat(texts()).containsExactly("close 1001");
        advance(Duration.ofMillis(1_999));
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofMillis(1));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void badCommandsCloseWith4002OnlyWhenTooManyFallInOneWindow() {
        ServerConfig c = config().heartbeatInterval(Duration.ofMinutes(10)).limits(TestServer.LIMITS.withErrorBurstLimit(3).withErrorBurstWindow(Duration.ofSeconds(10)));
        Session s = open(c, user("eve", Long.MAX_VALUE));
        for (int i = 0; i < 3; i++) {
            send(s, "{\"v\":1,\"type\":\"nope\",\"id\":\"" + i + "\"}");
        }
        advance(Duration.ofSeconds(11)); // a new window: the count starts again
        for (int i = 0; i < 3; i++) {
            send(s, "{\"v\":1,\"type\":\"nope\",\"id\":\"w" + i + "\"}");
        }
        List<String> six = texts();
        assertThat(String.join("", six).split("\"code\":\"unknown_type\"", -1)).as("six errors").hasSize(7);
        assertThat(six).noneMatch(t -> t.startsWith("close"));
        send(s, "{\"v\":1,\"type\":\"nope\",\"id\":\"last\"}");
        List<String> out = texts();
        assertThat(out.get(0)).contains("\"code\":\"unknown_type\"");
        assertThat(out.get(out.size() - 1)).isEqualTo("close 4002");
    }

    @Test
    void theSessionIdIsTheSameEveryTimeItIsAskedForAndTheWelcomeNamesIt() {
        channel.freezeTime();
        node = new Node(config(), new MemoryEngine(), TestServer.SECRET.getBytes(StandardCharsets.UTF_8), false, clock).start();
        Session s = new Session(node, channel, user("ann", Long.MAX_VALUE), "127.0.0.1", io.switchboard.protocol.WireFormat.JSON);
        s.start();
        String id = s.id();
        assertThat(id).matches("[0-9a-zA-Z]{16}").isEqualTo(s.id()).isNotSameAs(s.id()); // written out per call
        assertThat(texts()).singleElement().asString().contains("\"sessionId\":\"" + id + "\"");
        String kept = s.keptId();
        assertThat(kept).as("the kept copy").isEqualTo(id).isSameAs(s.keptId()).isSameAs(s.id());
        assertThat(new Session(node, new EmbeddedChannel(), user("bob", Long.MAX_VALUE), "127.0.0.1",
                io.switchboard.protocol.WireFormat.JSON).id()).as("another session's").isNotEqualTo(id);
    }

    @Test
    void aSessionKeepsACopyOfItsIdOnlyOnceAChannelThatTracksPresenceHoldsIt() {
        Session s = open(config(), user("ann", Long.MAX_VALUE));
        send(s, "{\"v\":1,\"type\":\"subscribe\",\"id\":\"1\",\"channel\":\"news\"}");
        channel.runPendingTasks();
        assertThat(texts()).anySatisfy(t -> assertThat(t).contains("\"type\":\"ack\"").contains("\"id\":\"1\""));
        assertThat(s.id()).as("a channel without presence: no copy kept, the id written out per call").isNotSameAs(s.id());
        send(s, "{\"v\":1,\"type\":\"subscribe\",\"id\":\"2\",\"channel\":\"chat:lobby\"}");
        channel.runPendingTasks();
        assertThat(texts()).anySatisfy(t -> assertThat(t).contains("\"type\":\"ack\"").contains("\"id\":\"2\""));
        assertThat(s.id()).as("chat tracks presence: its entry holds the kept copy").isSameAs(s.id());
    }
}
