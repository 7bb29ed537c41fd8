package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.server.config.PusherApp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Pusher frame decoder (fuzzed), the channel-name mapping and the HTTP API's request signing. */
class PusherFramesTest {

    private static final List<String> SEEDS = List.of(
            "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-a\",\"auth\":\"k:00\"}}",
            "{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"news\\\"}\"}",
            "{\"event\":\"client-x\",\"channel\":\"presence-r\",\"data\":{\"a\":[1,2,{\"b\":null}]}}",
            "{\"event\":\"pusher:ping\",\"data\":{}}");

    @Test
    void decodesObjectAndStringData() throws Exception {
        PusherFrames.Frame f = PusherFrames.decode(SEEDS.get(1).getBytes(StandardCharsets.UTF_8));
        assertThat(f.event()).isEqualTo("pusher:subscribe");
        assertThat(f.dataObject().get("channel").textValue()).isEqualTo("news");
        PusherFrames.Frame c = PusherFrames.decode(SEEDS.get(2).getBytes(StandardCharsets.UTF_8));
        assertThat(c.channel()).isEqualTo("presence-r");
        assertThat(c.dataText()).isEqualTo("{\"a\":[1,2,{\"b\":null}]}");
    }

    @Test
    void refusesWhatIsNoEvent() {
        for (String bad : List.of("", "[]", "42", "{}", "{\"event\":7}", "{\"event\":\"\"}", "{\"event\":\"x\",\"channel\":[]}",
                "{\"event\":\"x\"", "\u0000")) {
            assertThatThrownBy(() -> PusherFrames.decode(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(PusherFrames.BadFrame.class);
        }
    }

    /** Random bytes and mutations of valid frames: the decoder answers a frame or BadFrame, never anything else. */
    @Test
    void fuzzedFramesOnlyEverDecodeOrAreRefused() {
        Random rnd = new Random(Long.getLong("fuzz.seed", 20261201L));
        int rounds = Integer.getInteger("fuzz.frames", 50_000);
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < rounds; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[rnd.nextInt(64)];
                rnd.nextBytes(b);
            } else {
                b = SEEDS.get(rnd.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8);
                for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
                    int at = rnd.nextInt(b.length);
                    switch (rnd.nextInt(3)) {
                        case 0 -> b[at] = (byte) rnd.nextInt(256);
                        case 1 -> b = java.util.Arrays.copyOf(b, at);
                        default -> b[at] = (byte) "{}[]\":,\\".charAt(rnd.nextInt(8));
                    }
                    if (b.length == 0) {
                        break;
                    }
                }
            }
            try {
                PusherFrames.Frame f = PusherFrames.decode(b);
                assertThat(f.event()).isNotEmpty();
                f.dataObject(); // never throws either
                f.dataText();
                decoded++;
            } catch (PusherFrames.BadFrame e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            }
        }
        assertThat(decoded).as("some mutations still decode").isPositive();
        assertThat(refused).as("most are refused").isGreaterThan(rounds / 4);
    }

    @Test
    void webhookRequestsAreInPushersFormatSignedWithTheAppsSecret() throws Exception {
        PusherApp app = PusherApp.of("1001", "key-a", "0123456789abcdef").withWebhooks(List.of(
                new PusherApp.Webhook("http://127.0.0.1:9/h", java.util.Set.of("member_added"))));
        io.switchboard.server.config.WebhookConfig hooks = PusherWebhooks.withApps(io.switchboard.server.config.WebhookConfig.none(), List.of(app));
        io.switchboard.server.config.WebhookConfig.Endpoint e = hooks.endpoints().get(0);
        assertThat(e.name()).isEqualTo("pusher-1001-0");
        assertThat(e.namespaces()).containsExactlyInAnyOrder("pusher.1001", "pusher.1001.cache");
        byte[] stored = "{\"id\":\"abc\",\"type\":\"member_added\",\"node\":\"n\",\"ts\":1,\"channel\":\"pusher.1001:presence-a:b\",\"user_id\":\"7\"}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = e.format().body(List.of(new io.switchboard.server.engine.EventQueue.QueuedEvent("p", "abc", "channel:x", 3, 1, stored)), 42);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"time_ms\":42,\"events\":[{\"name\":\"member_added\",\"channel\":\"presence-a;b\",\"user_id\":\"7\",\"id\":\"abc\",\"seq\":3}]}");
        assertThat(e.format().headers(body, 42)).containsEntry("X-Pusher-Key", "key-a")
                .containsEntry("X-Pusher-Signature", PusherSignatures.hmac("0123456789abcdef", new String(body, StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> new PusherApp.Webhook("http://x", java.util.Set.of("presence_join"))).hasMessageContaining("member_added");
    }

    @Test
    void subscribersShareAMembersInfoReadWhileItIsInFlight() {
        PusherTranscoder t = new PusherTranscoder();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<byte[]> pending = new java.util.concurrent.CompletableFuture<>();
        java.util.function.Supplier<java.util.concurrent.CompletableFuture<byte[]>> read = () -> {
            reads.incrementAndGet();
            return pending;
        };
        var first = t.memberInfo("pusher.1:presence-a", "u1", read);
        var second = t.memberInfo("pusher.1:presence-a", "u1", read);
        var otherUser = t.memberInfo("pusher.1:presence-a", "u2", () -> java.util.concurrent.CompletableFuture.completedFuture(null));
        assertThat(reads).hasValue(1);
        assertThat(otherUser).isCompletedWithValue(null);
        pending.complete("{\"name\":\"Ann\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(first.join()).isEqualTo(second.join());
        t.memberInfo("pusher.1:presence-a", "u1", read);
        assertThat(reads).as("a later member_added reads afresh").hasValue(2);
    }

    @Test
    void deepNestingIsRefusedNotACrash() {
        String deep = "{\"event\":\"x\",\"data\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> PusherFrames.decode(deep.getBytes(StandardCharsets.UTF_8))).isInstanceOf(PusherFrames.BadFrame.class);
    }

    @Test
    void channelNamesMapOneToOneIntoTheAppsNamespace() {
        PusherApp app = PusherApp.of("1001", "k", "0123456789abcdef");
        assertThat(PusherChannels.internal(app, "presence-a;b")).isEqualTo("pusher.1001:presence-a:b");
        assertThat(PusherChannels.external(app, "pusher.1001:presence-a:b")).isEqualTo("presence-a;b");
        assertThat(PusherChannels.external(PusherApp.of("1002", "k2", "0123456789abcdef"), "pusher.1001:x")).isNull();
        assertThat(PusherChannels.problem("ok_-=@,.;")).isNull();
        assertThat(PusherChannels.problem("a:b")).contains("index 1");
        assertThat(PusherChannels.problem("#server-to-user-1")).isNull();
        assertThat(PusherChannels.kind("#server-to-user-1")).isEqualTo(PusherChannels.Kind.USER);
        assertThat(PusherChannels.problem("#server-to-user-")).contains("user id");
        assertThat(PusherChannels.problem("#server-to-user-a b")).contains("user id");
        assertThat(PusherChannels.problem("#other")).contains("only channels starting with #");
        assertThat(PusherChannels.internal(app, "cache-x")).isEqualTo("pusher.1001.cache:cache-x");
        assertThat(PusherChannels.external(app, "pusher.1001.cache:presence-cache-a:b")).isEqualTo("presence-cache-a;b");
        assertThat(PusherChannels.problem("private-cache-")).contains("nothing after");
        assertThat(PusherChannels.problem("x".repeat(165))).contains("164");
        assertThat(PusherChannels.kind("private-encrypted-x")).isEqualTo(PusherChannels.Kind.ENCRYPTED);
        assertThat(PusherChannels.Kind.ENCRYPTED.allowsClientEvents()).isFalse();
    }

    @Test
    void requestSigningAsPusherDefinesIt() {
        PusherApp app = PusherApp.of("3", "278d425bdf160c739803", "7ad3773142a6692b25b8");
        byte[] body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}".getBytes(StandardCharsets.UTF_8);
        String md5 = PusherSignatures.md5(body);
        long ts = 1353088179;
        String toSign = "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=" + ts + "&auth_version=1.0&body_md5=" + md5;
        String sig = PusherSignatures.hmac(app.secret(), toSign);
        Map<String, List<String>> q = Map.of("auth_key", List.of(app.key()), "auth_timestamp", List.of(Long.toString(ts)),
                "auth_version", List.of("1.0"), "body_md5", List.of(md5), "auth_signature", List.of(sig));
        assertThat(PusherRequestAuth.problem(app, "POST", "/apps/3/events", q, body, ts + 600)).isNull();
        assertThat(PusherRequestAuth.problem(app, "POST", "/apps/3/events", q, body, ts + 601)).contains("600 s");
        assertThat(PusherRequestAuth.problem(app, "POST", "/apps/3/events", q, "{}".getBytes(StandardCharsets.UTF_8), ts)).contains("body_md5");
        assertThat(PusherRequestAuth.problem(app, "GET", "/apps/3/events", q, body, ts)).isEqualTo("invalid signature");
    }

    @Test
    void channelAuthorization() {
        String sig = PusherSignatures.hmac("0123456789abcdef", "1234.5678:private-x");
        assertThat(PusherSignatures.authProblem("key", "0123456789abcdef", "key:" + sig, "1234.5678:private-x")).isNull();
        assertThat(PusherSignatures.authProblem("key", "0123456789abcdef", "other:" + sig, "1234.5678:private-x")).contains("key");
        assertThat(PusherSignatures.authProblem("key", "0123456789abcdef", "key:" + sig, "1234.5679:private-x")).isEqualTo("invalid signature");
        assertThat(PusherSignatures.authProblem("key", "0123456789abcdef", null, "x")).contains("needs");
    }
}
