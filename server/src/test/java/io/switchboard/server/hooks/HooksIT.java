package io.switchboard.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.hooks.HookBackend.Answer;
import io.switchboard.server.testing.LogCapture;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.protocol.Envelope;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hooks in, against a real backend (the JDK's HTTP server): the connect hook admits a client without a token by
 * its cookie, names its user or refuses it; subscribe and publish are asked per namespace, a publish can be
 * rewritten; refresh extends a session; a backend that is down, slow, answers a wrong status, garbage or too
 * much is a documented retryable refusal, one log line and a counted error, and a restarted one is asked again.
 */
class HooksIT {

    HookBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = new HookBackend();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    HooksConfig.Hook hook(String name, Duration timeout, Set<String> namespaces, HooksConfig.OnFailure onFailure) {
        return new HooksConfig.Hook(name, backend.url(name), timeout, Set.of("x-tenant"), Set.of("sid"), namespaces, onFailure);
    }

    ServerConfig config(HooksConfig.Hook... hooks) {
        Map<String, HooksConfig.Hook> m = new LinkedHashMap<>();
        for (HooksConfig.Hook h : hooks) {
            m.put(h.name(), h);
        }
        return TestServer.config().hooks(new HooksConfig(m, 1024));
    }

    static WsClient connectWithCookie(TestServer node, String cookie) throws Exception {
        return WsClient.to(node.port()).header("Cookie", cookie).header("X-Tenant", "acme").header("X-Other", "secret").connect();
    }

    static double errors(TestServer node, String hook, String reason) {
        Counter c = node.server.node().metrics().registry().find("switchboard_hook_errors").tag("hook", hook)
                .tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void theConnectHookAdmitsAClientWithoutATokenByItsCookieAndNamesItsUser() throws Exception {
        backend.answers.put("connect", req -> Answer.json(
                "{\"user\":\"alice\",\"info\":{\"name\":\"Alice\"},\"channels\":[\"chat:*\"],\"subscribe\":[\"chat:hooked\"]}"));
        try (TestServer node = TestServer.start(config(hook("connect", Duration.ofSeconds(2), Set.of(), HooksConfig.OnFailure.REFUSE)))) {
            WsClient c = connectWithCookie(node, "theme=dark; sid=s3cr3t; other=1");
            Envelope welcome = c.awaitType(MessageType.WELCOME);
            assertThat(HookBackend.JSON.readTree(welcome.payload()).get("userId").asText()).isEqualTo("alice");
            assertThat(c.subscribe("chat:room").type()).isEqualTo(MessageType.ACK);
            // The connect answer's subscribe list: subscribed by the server, and the client is told.
            assertThat(c.await(e -> e.type() == MessageType.SUBSCRIBED).channel()).isEqualTo("chat:hooked");

            HookBackend.Received r = backend.of("connect").get(0);
            assertThat(r.body().get("user").asText()).isEmpty();
            assertThat(r.body().get("anonymous").asBoolean()).isTrue();
            assertThat(r.body().get("remoteAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(r.header("Cookie")).isEqualTo("sid=s3cr3t"); // only the cookies named
            assertThat(r.header("X-Tenant")).isEqualTo("acme");
            assertThat(r.header("X-Other")).isNull(); // only the headers named
            c.close();

            // A client with a token: the backend sees who the token says, and may keep it.
            backend.answers.put("connect", req -> Answer.json("{}"));
            WsClient bob = node.client("bob");
            assertThat(bob.isOpen()).isTrue();
            assertThat(backend.of("connect").get(1).body().get("user").asText()).isEqualTo("bob");
        }
    }

    @Test
    void theConnectHookRefusesWithItsCodeAndADownBackendIsARetryableRefusalUntilItIsBack() throws Exception {
        backend.answers.put("connect", req -> Answer.json("{\"error\":{\"code\":\"forbidden\",\"message\":\"banned\"}}"));
        try (TestServer node = TestServer.start(config(hook("connect", Duration.ofSeconds(2), Set.of(), HooksConfig.OnFailure.REFUSE)))) {
            WsClient banned = connectWithCookie(node, "sid=x");
            Envelope error = banned.awaitType(MessageType.ERROR);
            assertThat(error.code()).isEqualTo("forbidden");
            assertThat(error.message()).isEqualTo("banned");
            assertThat(banned.awaitClose()).isEqualTo(4501);

            backend.stop();
            WsClient early = connectWithCookie(node, "sid=x");
            Envelope down = early.awaitType(MessageType.ERROR);
            assertThat(down.code()).isEqualTo("unavailable");
            assertThat(down.retryable()).isTrue();
            assertThat(early.awaitClose()).isEqualTo(1001);
            assertThat(errors(node, "connect", "unreachable")).isEqualTo(1);

            backend.restart();
            backend.answers.put("connect", req -> Answer.json("{\"user\":\"carol\"}"));
            WsClient later = connectWithCookie(node, "sid=x");
            assertThat(HookBackend.JSON.readTree(later.awaitType(MessageType.WELCOME).payload()).get("userId").asText())
                    .isEqualTo("carol");
        }
    }

    @Test
    void badAnswersAreARetryableRefusalOneLogLineAndACountedErrorEach() throws Exception {
        try (TestServer node = TestServer.start(config(hook("connect", Duration.ofMillis(300), Set.of(), HooksConfig.OnFailure.REFUSE)));
             LogCapture logs = new LogCapture()) {
            Map<String, Answer> bad = new LinkedHashMap<>();
            bad.put("invalid", Answer.json("<html>oops</html>"));
            bad.put("status", new Answer(500, "{}".getBytes(), 0));
            bad.put("too_large", Answer.json("{\"user\":\"" + "x".repeat(2000) + "\"}"));
            bad.put("timeout", Answer.json("{\"user\":\"slow\"}").late(1500));
            for (Map.Entry<String, Answer> b : bad.entrySet()) {
                backend.answers.put("connect", req -> b.getValue());
                WsClient c = connectWithCookie(node, "sid=x");
                Envelope error = c.awaitType(MessageType.ERROR);
                assertThat(error.code()).as(b.getKey()).isEqualTo("unavailable");
                assertThat(error.message()).as(b.getKey()).isEqualTo("the connect hook failed; retry later");
                assertThat(c.awaitClose()).isEqualTo(1001);
                assertThat(errors(node, "connect", b.getKey())).as(b.getKey()).isEqualTo(1);
            }
            // A wrong error code is an answer the node cannot use, not the client's fault.
            backend.answers.put("connect", req -> Answer.json("{\"error\":{\"code\":\"made_up\"}}"));
            assertThat(connectWithCookie(node, "sid=x").awaitType(MessageType.ERROR).code()).isEqualTo("unavailable");
            assertThat(errors(node, "connect", "invalid")).isEqualTo(2);

            java.util.List<String> lines = logs.events().stream().filter(e -> e.getLoggerName().equals(BackendHooks.class.getName()))
                    .map(e -> e.getFormattedMessage()).toList();
            // One line per kind of failure (the second invalid one falls in the ten-second quiet window), no stack traces.
            assertThat(lines).hasSize(4).allMatch(l -> l.startsWith("the connect hook failed ("));
            assertThat(logs.events()).noneMatch(e -> e.getThrowableProxy() != null);
            assertThat(lines).noneMatch(l -> l.contains("oops") || l.contains("xxxx"));
            double calls = node.server.node().metrics().registry().find("switchboard_hook_seconds").tag("hook", "connect").timer().count();
            assertThat(calls).isEqualTo(5);
        }
    }

    @Test
    void subscribeAndPublishAreAskedPerNamespaceAndAPublishCanBeRewritten() throws Exception {
        backend.answers.put("subscribe", req -> req.get("channel").asText().equals("chat:secret")
                ? Answer.json("{\"error\":{\"code\":\"forbidden\",\"message\":\"members only\"}}") : Answer.json("{}"));
        backend.answers.put("publish", req -> {
            String text = req.get("payload").get("text").asText();
            if (text.contains("spam")) {
                return Answer.json("{\"error\":{\"code\":\"forbidden\",\"message\":\"no spam\"}}");
            }
            return Answer.json("{\"payload\":{\"text\":\"" + text.replace("darn", "****") + "\",\"checked\":true}}");
        });
        try (TestServer node = TestServer.start(config(
                hook("subscribe", Duration.ofSeconds(2), Set.of("chat"), HooksConfig.OnFailure.REFUSE),
                hook("publish", Duration.ofSeconds(2), Set.of("chat"), HooksConfig.OnFailure.REFUSE)))) {
            WsClient alice = WsClient.to(node.port()).token(node.token("alice")).header("Cookie", "sid=abc").connect();
            alice.awaitType(MessageType.WELCOME);
            Envelope refused = alice.subscribe("chat:secret");
            assertThat(refused.type()).isEqualTo(MessageType.ERROR);
            assertThat(refused.code()).isEqualTo("forbidden");
            assertThat(refused.message()).isEqualTo("members only");
            assertThat(alice.subscribe("chat:room").type()).isEqualTo(MessageType.ACK);
            assertThat(alice.subscribe("lobby").type()).isEqualTo(MessageType.ACK); // namespace "" is not asked
            assertThat(backend.of("subscribe")).extracting(r -> r.body().get("channel").asText())
                    .containsExactly("chat:secret", "chat:room");
            HookBackend.Received sub = backend.of("subscribe").get(0);
            assertThat(sub.body().get("user").asText()).isEqualTo("alice");
            assertThat(sub.body().get("client").asText()).isNotEmpty();
            assertThat(sub.header("Cookie")).isEqualTo("sid=abc"); // kept from the handshake

            assertThat(alice.publish("chat:room", "{\"text\":\"darn it\"}").type()).isEqualTo(MessageType.ACK);
            Envelope got = alice.awaitType(MessageType.MESSAGE);
            assertThat(got.payloadText()).isEqualTo("{\"text\":\"**** it\",\"checked\":true}");
            Envelope spam = alice.publish("chat:room", "{\"text\":\"buy spam\"}");
            assertThat(spam.code()).isEqualTo("forbidden");
            assertThat(spam.message()).isEqualTo("no spam");
            assertThat(alice.publish("lobby", "{\"text\":\"darn\"}").type()).isEqualTo(MessageType.ACK);
            assertThat(alice.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("{\"text\":\"darn\"}");
            assertThat(backend.of("publish")).hasSize(2);
        }
    }

    @Test
    void onFailureAllowGoesOnWithoutTheBackendAndRefuseSaysUnavailable() throws Exception {
        try (TestServer node = TestServer.start(config(
                hook("subscribe", Duration.ofSeconds(2), Set.of(), HooksConfig.OnFailure.REFUSE),
                hook("publish", Duration.ofSeconds(2), Set.of(), HooksConfig.OnFailure.ALLOW)))) {
            WsClient alice = node.client("alice");
            backend.stop();
            Envelope sub = alice.subscribe("chat:room");
            assertThat(sub.code()).isEqualTo("unavailable");
            assertThat(sub.retryable()).isTrue();
            assertThat(alice.call("subscribe", "chat:room", null).code()).isEqualTo("unavailable"); // nothing was left attached
            assertThat(alice.publish("chat:room", "{\"n\":1}").type()).isEqualTo(MessageType.ACK); // allowed as it is
            assertThat(errors(node, "publish", "unreachable")).isEqualTo(1);
            assertThat(errors(node, "subscribe", "unreachable")).isEqualTo(2);
        }
    }

    @Test
    void theRefreshHookExtendsASessionOrRefusesIt() throws Exception {
        long later = System.currentTimeMillis() + 7_200_000;
        backend.answers.put("refresh", req -> req.get("token").asText().equals("good")
                ? Answer.json("{\"expiresAt\":" + later + "}")
                : Answer.json("{\"error\":{\"code\":\"unauthorized\",\"message\":\"session over\"}}"));
        try (TestServer node = TestServer.start(config(hook("refresh", Duration.ofSeconds(2), Set.of(), HooksConfig.OnFailure.REFUSE)))) {
            WsClient alice = node.client("alice");
            Envelope ok = alice.call("refresh", null, "\"token\":\"good\"");
            assertThat(ok.type()).isEqualTo(MessageType.ACK);
            assertThat(HookBackend.JSON.readTree(ok.payload()).get("expiresAt").asLong()).isEqualTo(later);
            Envelope no = alice.call("refresh", null, "\"token\":\"bad\"");
            assertThat(no.code()).isEqualTo("unauthorized");
            assertThat(no.message()).isEqualTo("session over");
            JsonNode asked = backend.of("refresh").get(0).body();
            assertThat(asked.get("user").asText()).isEqualTo("alice");
            // A backend naming another user is refused by the node, as a token for another user is.
            backend.answers.put("refresh", req -> Answer.json("{\"user\":\"mallory\"}"));
            assertThat(alice.call("refresh", null, "\"token\":\"good\"").code()).isEqualTo("forbidden");
            assertThat(alice.isOpen()).isTrue();
        }
    }
}
