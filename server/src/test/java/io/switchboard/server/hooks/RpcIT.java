package io.switchboard.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.hooks.HookBackend.Answer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code rpc} command against a real backend: the result comes back in the ack, the backend's refusal as
 * its error, a down or slow backend as {@code unavailable}, each method at its own rate; without an rpc hook
 * the command is {@code not_available}.
 */
class RpcIT {

    HookBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = new HookBackend();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    TestServer node(Map<String, HooksConfig.RateLimit> limits) throws InterruptedException {
        HooksConfig.Hook rpc = new HooksConfig.Hook("rpc", backend.url("rpc"), Duration.ofMillis(500), Set.of(), Set.of("sid"),
                Set.of(), HooksConfig.OnFailure.REFUSE);
        return TestServer.start(TestServer.config().hooks(new HooksConfig(Map.of("rpc", rpc), 4096, limits)));
    }

    @Test
    void theBackendsResultComesBackInTheAckAndItsRefusalAsTheError() throws Exception {
        backend.answers.put("rpc", req -> switch (req.get("method").asText()) {
            case "chat.who" -> Answer.json("{\"result\":{\"room\":" + req.get("payload").get("room") + ",\"users\":[\"alice\",\"bob\"]}}");
            case "admin.ban" -> Answer.json("{\"error\":{\"code\":\"forbidden\",\"message\":\"moderators only\"}}");
            case "slow" -> Answer.json("{\"result\":1}").late(1500);
            default -> Answer.json("{}");
        });
        try (TestServer node = node(Map.of())) {
            WsClient alice = WsClient.to(node.port()).token(node.token("alice")).header("Cookie", "sid=1; x=2").connect();
            alice.awaitType(MessageType.WELCOME);
            Envelope who = alice.call("rpc", null, "\"method\":\"chat.who\",\"payload\":{\"room\":\"lobby\"}");
            assertThat(who.type()).isEqualTo(MessageType.ACK);
            assertThat(who.payloadText()).isEqualTo("{\"room\":\"lobby\",\"users\":[\"alice\",\"bob\"]}");
            HookBackend.Received r = backend.of("rpc").get(0);
            assertThat(r.body().get("user").asText()).isEqualTo("alice");
            assertThat(r.body().get("client").asText()).isNotEmpty();
            assertThat(r.header("Cookie")).isEqualTo("sid=1");

            Envelope ban = alice.call("rpc", null, "\"method\":\"admin.ban\",\"payload\":{\"user\":\"bob\"}");
            assertThat(ban.code()).isEqualTo("forbidden");
            assertThat(ban.message()).isEqualTo("moderators only");
            Envelope nothing = alice.call("rpc", null, "\"method\":\"noop\"");
            assertThat(nothing.type()).isEqualTo(MessageType.ACK);
            assertThat(nothing.payload()).as("a null result: an ack without payload").isNull();
            assertThat(backend.of("rpc").get(2).body().get("payload").isNull()).isTrue();

            Envelope slow = alice.call("rpc", null, "\"method\":\"slow\"");
            assertThat(slow.code()).isEqualTo("unavailable");
            assertThat(slow.retryable()).isTrue();
            backend.stop();
            assertThat(alice.call("rpc", null, "\"method\":\"chat.who\",\"payload\":{}").code()).isEqualTo("unavailable");
            assertThat(HooksIT.errors(node, "rpc", "timeout")).isEqualTo(1);
            assertThat(HooksIT.errors(node, "rpc", "unreachable")).isEqualTo(1);

            Envelope bad = alice.call("rpc", null, "\"method\":\"no spaces\"");
            assertThat(bad.code()).isEqualTo("bad_request");
            assertThat(alice.isOpen()).isTrue();
        }
    }

    @Test
    void eachMethodHasItsOwnRateAndTheRestShareOne() throws Exception {
        try (TestServer node = node(Map.of("chat.who", new HooksConfig.RateLimit(1, 2), "*", new HooksConfig.RateLimit(1, 1)))) {
            WsClient alice = node.client("alice");
            assertThat(alice.call("rpc", null, "\"method\":\"chat.who\"").type()).isEqualTo(MessageType.ACK);
            assertThat(alice.call("rpc", null, "\"method\":\"chat.who\"").type()).isEqualTo(MessageType.ACK);
            Envelope over = alice.call("rpc", null, "\"method\":\"chat.who\"");
            assertThat(over.code()).isEqualTo("rate_limited");
            assertThat(over.retryable()).isTrue();
            assertThat(alice.call("rpc", null, "\"method\":\"a\"").type()).isEqualTo(MessageType.ACK);
            assertThat(alice.call("rpc", null, "\"method\":\"b\"").code()).isEqualTo("rate_limited"); // "*" is one bucket
            assertThat(backend.of("rpc")).hasSize(3);
            // Another connection has its own rates.
            assertThat(node.client("bob").call("rpc", null, "\"method\":\"chat.who\"").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void withoutAnRpcHookTheCommandIsNotAvailable() throws Exception {
        try (TestServer node = TestServer.start()) {
            Envelope e = node.client("alice").call("rpc", null, "\"method\":\"chat.who\"");
            assertThat(e.code()).isEqualTo("not_available");
        }
    }
}
