package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The browser client's binary subprotocol in a real browser: headless Chromium (driven by
 * {@code src/test/e2e/protobuf-client.mjs}) loads {@code switchboard.js} and {@code switchboard-protobuf.js}
 * from a real node, speaks {@code switchboard.v1.protobuf} with it, and exchanges binary and JSON payloads with
 * a JSON client of the test.
 */
class BrowserProtobufIT {

    private static final Path E2E = Path.of("src/test/e2e").toAbsolutePath();
    private static final String CHANNEL = "chat:browser-pb";

    @Test
    void theBrowserClientSpeaksProtobufWithARealNode() throws Exception {
        Tools.path("chromium");
        assertThat(E2E.resolve("node_modules/playwright-core/package.json"))
                .as("playwright-core is installed by ./test (npm ci in server/src/test/e2e)").isRegularFile();
        try (TestServer node = TestServer.start(TestServer.config()); WsClient json = node.client("json")) {
            assertThat(json.subscribe(CHANNEL).type()).isEqualTo(MessageType.ACK);
            ProcessBuilder pb = new ProcessBuilder(Tools.path("node"), "protobuf-client.mjs", "http://127.0.0.1:" + node.port())
                    .directory(E2E.toFile()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("E2E_TOKEN", node.token("page"), "E2E_CHANNEL", CHANNEL));
            Process script = pb.start();
            StringBuilder output = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    System.out.println("[protobuf-client.mjs] " + line);
                    if (line.equals("e2e: ready")) {
                        assertThat(json.publish(CHANNEL, "{\"from\":\"java\"}").type()).isEqualTo(MessageType.ACK);
                    }
                }
            }
            if (!script.waitFor(60, TimeUnit.SECONDS)) {
                script.destroyForcibly();
                fail("protobuf-client.mjs did not finish:\n" + output);
            }
            assertThat(script.exitValue()).as("protobuf-client.mjs failed:\n%s", output).isZero();
            String out = output.toString();
            assertThat(out).contains("\"subprotocol\":\"switchboard.v1.protobuf\"")
                    .contains("\"got\":[{\"bytes\":[0,255,7,34]},{\"text\":\"from chromium\"}]")
                    .contains("\"history\":[{\"bytes\":[0,255,7,34]},{\"text\":\"from chromium\"}]")
                    .contains("e2e: third {\"from\":\"java\"}")
                    .contains("e2e: ok");

            // The JSON client got the page's binary payload in base64 and its JSON payload as it was sent.
            List<Envelope> got = json.messages(3, Duration.ofSeconds(10));
            assertThat(got.get(0).payload()).isEqualTo(new byte[] {0, (byte) 255, 7, 0x22});
            assertThat(String.join("\n", json.rawFrames))
                    .contains("\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(new byte[] {0, (byte) 255, 7, 0x22}) + "\"");
            assertThat(got.get(1).payloadText()).isEqualTo("{\"text\":\"from chromium\"}");
        }
    }
}
