package io.switchboard.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.switchboard.protocol.proto.Envelope;
import io.switchboard.protocol.proto.Position;
import io.switchboard.protocol.proto.Type;
import io.switchboard.server.testing.PbClient;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionFuzzIT}'s twin for the binary subprotocol: 10,000 random and mutated binary frames (and now
 * and then a text frame, the wrong kind) at a live node over the JDK's WebSocket. The node must answer every
 * one (each frame is followed by a ping that must be answered, unless the connection was closed), close a
 * fuzzing connection only with a documented code, and never disturb a Protobuf bystander that receives a
 * steady stream from a JSON publisher, all of it, in order.
 *
 * <p>Another seed or a longer run: {@code -Dfuzz.seed=7 -Dfuzz.frames=100000}.
 */
class ProtobufSessionFuzzIT {

    static final Set<Integer> DOCUMENTED_CLOSES = Set.of(1009, 4002);

    @Test
    void hostileBinaryFramesNeverHurtTheNodeOrOtherClients() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261202L);
        int frames = Integer.getInteger("fuzz.frames", 10_000);
        Random rnd = new Random(seed);
        try (TestServer node = TestServer.start(TestServer.config().maxFrameBytes(8 * 1024).limits(TestServer.LIMITS.withErrorBurstLimit(400)));
             PbClient bystander = PbClient.connect(node.port(), node.token("bystander"));
             WsClient publisher = node.client("publisher")) {
            bystander.subscribe("steady");
            AtomicInteger published = new AtomicInteger();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(() -> publisher.command("publish", "steady", "\"payload\":" + published.getAndIncrement()),
                    0, 5, TimeUnit.MILLISECONDS);
            TreeMap<Integer, Integer> closes = new TreeMap<>();
            int errors = 0;
            PbClient fuzzer = PbClient.connect(node.port(), node.token("fuzzer"));
            try {
                for (int i = 0; i < frames; i++) {
                    if (!fuzzer.isOpen()) {
                        int code = fuzzer.awaitClose();
                        closes.merge(code, 1, Integer::sum);
                        assertThat(DOCUMENTED_CLOSES).as("close code %d after frame %d (seed %d)", code, i, seed).contains(code);
                        fuzzer.close();
                        fuzzer = PbClient.connect(node.port(), node.token("fuzzer"));
                    }
                    sendOne(fuzzer, rnd);
                    String id = "fz" + i;
                    fuzzer.send(Envelope.newBuilder().setType(Type.PING).setId(id).build());
                    long deadline = System.currentTimeMillis() + 10_000;
                    boolean answered = false;
                    while (!answered && !fuzzer.closeCode.isDone() && System.currentTimeMillis() < deadline) {
                        Envelope e = fuzzer.received.poll(5, TimeUnit.MILLISECONDS);
                        if (e != null && e.getType() == Type.ERROR) {
                            errors++;
                        }
                        answered = e != null && e.getType() == Type.PONG && id.equals(e.getId());
                    }
                    assertThat(answered || fuzzer.closeCode.isDone()).as("the node answered frame %d (seed %d)", i, seed).isTrue();
                    assertThat(fuzzer.failure).as("the server's frames decode with the generated classes").isNull();
                    fuzzer.received.clear();
                }
            } finally {
                fuzzer.close();
            }
            int mark = published.get();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> published.get() >= mark + 20);
            ticker.shutdownNow();
            ticker.awaitTermination(2, TimeUnit.SECONDS);
            int sent = published.get();
            for (int i = 0; i < sent; i++) {
                Envelope m = bystander.await(x -> x.getType() == Type.MESSAGE, Duration.ofSeconds(20));
                assertThat(m.getPayload().toStringUtf8()).isEqualTo(Integer.toString(i));
            }
            assertThat(bystander.isOpen()).isTrue();
            assertThat(errors).as("the fuzz reached the error paths").isGreaterThan(frames / 10);
            assertThat(closes.values().stream().mapToInt(Integer::intValue).sum()).as("and the closing ones").isGreaterThan(0);
            System.out.printf("protobuf fuzz: seed %d, %d frames, %d errors, %d publications seen by the bystander, closes %s%n",
                    seed, frames, errors, sent, closes);
        }
    }

    private static final byte[][] VALID = {
        PbClient.encode(Envelope.newBuilder().setType(Type.SUBSCRIBE).setId("1").setChannel("chat:fz").build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.PUBLISH).setIdNumber(2).setChannel("fz")
                .setPayload(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xFF})).build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.HISTORY).setId("3").setChannel("chat:fz").setLimit(5).setReverse(true).build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.SUBSCRIBE).setId("4").setChannel("chat:fz")
                .setSince(Position.newBuilder().setEpoch("x").setOffset(3)).build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.PRESENCE).setId("5").setChannel("chat:fz").build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.UNSUBSCRIBE).setId("6").setChannel("chat:fz").build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.REFRESH).setId("8").setToken("a.b.c").build()),
        PbClient.encode(Envelope.newBuilder().setType(Type.PING).setId("9").build(), Envelope.newBuilder().setType(Type.PONG).build()),
    };

    private static void sendOne(PbClient c, Random rnd) {
        switch (rnd.nextInt(10)) {
            case 0, 1 -> { // random bytes
                byte[] b = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(b);
                c.sendRaw(b);
            }
            case 2, 3, 4 -> { // a valid frame with a few bytes changed
                byte[] b = VALID[rnd.nextInt(VALID.length)].clone();
                for (int m = 0; m < 1 + rnd.nextInt(3); m++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                c.sendRaw(b);
            }
            case 5 -> { // a valid frame cut short or run on
                byte[] v = VALID[rnd.nextInt(VALID.length)];
                c.sendRaw(java.util.Arrays.copyOf(v, rnd.nextInt(v.length + 4)));
            }
            case 6 -> { // a batch, sometimes over 100 envelopes
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int n = rnd.nextInt(4) == 0 ? 101 : 1 + rnd.nextInt(5);
                for (int k = 0; k < n; k++) {
                    out.writeBytes(VALID[6 + rnd.nextInt(2)]);
                }
                c.sendRaw(out.toByteArray());
            }
            case 7 -> { // the wrong kind of frame, or now and then one over the 8 KiB limit
                if (rnd.nextInt(20) == 0) {
                    c.sendRaw(new byte[9000]);
                } else {
                    c.sendText("{\"v\":1,\"type\":\"ping\",\"id\":1}");
                }
            }
            default -> c.sendRaw(VALID[rnd.nextInt(VALID.length)]);
        }
    }
}
