package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client with {@code .protocol(Protocol.PROTOBUF)} against a real server process: it offers
 * {@code switchboard.v1.protobuf}, speaks binary frames only, and exchanges JSON and binary payloads with a
 * JSON client, live and from history.
 */
class ProtobufClientIT {

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The JDK transport, recording what the client offered and which kinds of frames went each way. */
    static final class Watched implements Transport {
        final Transport inner = new JdkTransport(JdkTransport.sharedHttpClient());
        final List<String> offered = new CopyOnWriteArrayList<>();
        final List<String> kinds = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> open(URI uri, String token, Duration timeout, Listener listener) {
            return open(uri, token, timeout, SUBPROTOCOL, listener);
        }

        @Override
        public CompletableFuture<Void> open(URI uri, String token, Duration timeout, String subprotocol, Listener listener) {
            offered.add(subprotocol);
            return inner.open(uri, token, timeout, subprotocol, new Listener() {
                @Override
                public void onOpen(Connection c) {
                    listener.onOpen(new Connection() {
                        @Override
                        public CompletableFuture<Void> sendText(String text) {
                            kinds.add("sent text");
                            return c.sendText(text);
                        }

                        @Override
                        public CompletableFuture<Void> sendBinary(byte[] bytes) {
                            kinds.add("sent binary");
                            return c.sendBinary(bytes);
                        }

                        @Override
                        public void close(int code, String reason) {
                            c.close(code, reason);
                        }

                        @Override
                        public void abort() {
                            c.abort();
                        }
                    });
                }

                @Override
                public void onText(String text) {
                    kinds.add("received text");
                    listener.onText(text);
                }

                @Override
                public void onBinary(byte[] bytes) {
                    kinds.add("received binary");
                    listener.onBinary(bytes);
                }

                @Override
                public void onClose(int code, String reason) {
                    listener.onClose(code, reason);
                }

                @Override
                public void onError(Throwable error) {
                    listener.onError(error);
                }
            });
        }
    }

    @Test
    void aProtobufClientExchangesJsonAndBinaryPayloadsWithAJsonClient() throws Exception {
        Watched wire = new Watched();
        Inbox pbInbox = new Inbox();
        Inbox jsonInbox = new Inbox();
        byte[] binary = {0, 1, (byte) 0xFE, (byte) 0xFF, '"'};
        try (SwitchboardClient pb = SwitchboardClient.builder(server.url()).token(ServerProcess.token("pb"))
                     .protocol(Protocol.PROTOBUF).transport(wire).build();
             SwitchboardClient json = SwitchboardClient.builder(server.url()).token(ServerProcess.token("js")).build()) {
            Subscription pbSub = pb.subscribe("chat:sdk-pb", pbInbox);
            // Issued before connecting: queued, then sent in the binary batch that follows the welcome.
            CompletableFuture<PublishResult> early = pb.publish("chat:sdk-pb", binary);
            assertThat(pb.connect().get(20, TimeUnit.SECONDS).userId()).isEqualTo("pb");
            long first = early.get(20, TimeUnit.SECONDS).offset(); // published before the JSON client subscribes
            Subscription jsonSub = json.subscribe("chat:sdk-pb", jsonInbox);
            json.connect().get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> pbSub.isSubscribed() && jsonSub.isSubscribed());

            PublishResult fromJson = json.publish("chat:sdk-pb", "{\"text\": \"hi\"}").get(20, TimeUnit.SECONDS);
            PublishResult fromPb = pb.publish("chat:sdk-pb", "[1, 2]").get(20, TimeUnit.SECONDS);
            PublishResult binaryFromPb = pb.publish("chat:sdk-pb", binary).get(20, TimeUnit.SECONDS);
            assertThat(List.of(fromJson.offset(), fromPb.offset(), binaryFromPb.offset())).containsExactly(first + 1, first + 2, first + 3);

            await().atMost(Duration.ofSeconds(20)).until(() -> pbInbox.messages.size() >= 4);
            assertThat(pbInbox.messages.get(0).payloadBytes()).isEqualTo(binary);
            assertThat(pbInbox.messages.get(1).payload()).isEqualTo("{\"text\": \"hi\"}");
            assertThat(pbInbox.messages.get(2).payload()).isEqualTo("[1, 2]");
            assertThat(pbInbox.messages.get(3).payloadBytes()).isEqualTo(binary);
            await().atMost(Duration.ofSeconds(20)).until(() -> jsonInbox.messages.size() >= 3);
            assertThat(jsonInbox.messages.get(0).payload()).isEqualTo("{\"text\": \"hi\"}");
            assertThat(jsonInbox.messages.get(1).payload()).isEqualTo("[1, 2]");
            assertThat(jsonInbox.messages.get(2).payloadBytes()).as("from payloadBase64").isEqualTo(binary);

            HistoryPage page = pb.history("chat:sdk-pb", HistoryQuery.newest(10)).get(20, TimeUnit.SECONDS);
            assertThat(page.messages()).extracting(Message::payloadBytes).contains(binary,
                    "{\"text\": \"hi\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(pb.ping().get(20, TimeUnit.SECONDS)).isPositive();
        }
        assertThat(wire.offered).containsOnly("switchboard.v1.protobuf");
        assertThat(wire.kinds).contains("sent binary", "received binary").doesNotContain("sent text", "received text");
    }
}
