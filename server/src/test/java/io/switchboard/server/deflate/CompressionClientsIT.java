package io.switchboard.server.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.CompressionConfig;
import io.switchboard.server.metrics.CompressionMetrics;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate with real clients against a node with {@code --compression on}: headless Chromium
 * (which always offers it), Node's {@code ws} with perMessageDeflate, and Python's {@code websockets} (on JSON,
 * and on the Protobuf subprotocol, whose binary frames are compressed the same way: a JSON publisher there).
 * Each subscribes; this test publishes once it is ready; the client checks what arrived and reports the
 * extension it negotiated. The node's meters say the publications went out compressed (one compression
 * per publication, one compressed frame per delivery) and that the client's own frames came in compressed.
 */
class CompressionClientsIT {

    private static final Path DIR = Path.of("src/test/deflate").toAbsolutePath();
    private static final int COUNT = 3;

    @BeforeAll
    static void installPackages() throws Exception {
        Tools.npmCi(DIR, "ws", "playwright-core");
    }

    @Test
    void nodeWs() throws Exception {
        String out = run("ws", (node, url, channel) -> List.of(Tools.path("node"), "ws-client.mjs", url, channel, "" + COUNT));
        assertThat(out).contains("ext=permessage-deflate params=")
                .contains("\"server_no_context_takeover\":true").contains("\"client_no_context_takeover\":true");
    }

    @Test
    void chromium() throws Exception {
        Tools.path("chromium");
        String out = run("browser", (node, url, channel) -> List.of(Tools.path("node"), "browser.mjs",
                "http://127.0.0.1:" + node.port(), node.token("browser"), channel, "" + COUNT));
        assertThat(out).contains("ext=permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    }

    @Test
    void pythonWebsockets() throws Exception {
        Tools.path("python3-websockets");
        String out = run("python", (node, url, channel) -> List.of(Tools.path("python3"), "python-client.py", url, channel, "" + COUNT));
        assertThat(out).contains("ext=[('permessage-deflate', True, True)]");
    }

    /** The Protobuf subprotocol: binary frames, compressed the same way (a JSON publisher, a Protobuf subscriber). */
    @Test
    void pythonWebsocketsOnProtobuf() throws Exception {
        Tools.path("python3-websockets");
        String marker = "subscribe-ack-marker-7f3";
        String out = run("pyproto", (node, url, channel) -> {
            byte[] subscribe = io.switchboard.server.testing.PbClient.encode(io.switchboard.protocol.proto.Envelope.newBuilder()
                    .setType(io.switchboard.protocol.proto.Type.SUBSCRIBE).setId(marker).setChannel(channel).build());
            return List.of(Tools.path("python3"), "python-protobuf.py", url, java.util.HexFormat.of().formatHex(subscribe), marker, "" + COUNT);
        });
        assertThat(out).contains("ext=[('permessage-deflate', True, True)]");
    }

    interface Command {
        List<String> of(TestServer node, String url, String channel) throws Exception;
    }

    private static String payload(int seq) {
        StringBuilder b = new StringBuilder("{\"seq\":").append(seq).append(",\"rows\":[");
        for (int i = 0; i < 60; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"sensor ").append(i).append("\",\"ok\":true}");
        }
        return b.append("]}").toString();
    }

    /** Runs one client against a fresh node, publishes COUNT messages once it is ready; returns its output. */
    private static String run(String name, Command command) throws Exception {
        String channel = "deflate-" + name; // no history: the subscription is live at its ack, so every publication goes through the fan-out
        try (TestServer node = TestServer.start(TestServer.config().compression(CompressionConfig.DEFAULT.withEnabled(true)));
             WsClient publisher = node.client("publisher")) {
            CompressionMetrics m = node.server.node().metrics().compression();
            String url = "ws://127.0.0.1:" + node.port() + "/ws?access_token="
                    + URLEncoder.encode(node.token(name), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(command.of(node, url, channel)).directory(DIR.toFile()).redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            double fanoutBefore = 0;
            double connectionBefore = 0;
            double framesBefore = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.append(line).append('\n');
                    System.out.println("[" + name + "] " + line);
                    if (line.equals("ready")) {
                        fanoutBefore = m.compressions(true);
                        connectionBefore = m.compressions(false);
                        framesBefore = m.framesSent();
                        for (int i = 1; i <= COUNT; i++) {
                            assertThat(publisher.publish(channel, payload(i)).type()).isEqualTo(MessageType.ACK);
                        }
                    }
                }
            } finally {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    fail(name + " client did not finish:\n" + out);
                }
            }
            assertThat(p.exitValue()).as("%s client:\n%s", name, out).isZero();
            assertThat(out).contains("ok " + COUNT);
            assertThat(m.compressions(true) - fanoutBefore).as("one compression per publication (connection-scope ones: %s)",
                    m.compressions(false) - connectionBefore).isEqualTo(COUNT);
            assertThat(m.framesSent() - framesBefore).as("compressed frames written").isGreaterThanOrEqualTo(COUNT);
            assertThat(m.messagesReceived()).as("compressed messages from the client").isGreaterThanOrEqualTo(1);
            assertThat(m.refusedTotal("corrupt") + m.refusedTotal("too_big")).isZero();
            return out.toString();
        }
    }
}
