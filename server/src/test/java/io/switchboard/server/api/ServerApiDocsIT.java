package io.switchboard.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@code curl} example of docs/api.md, as written, in order, against a real node (only the
 * port is changed), with the demo user {@code alice} connected to {@code chat:lobby}. Each must answer
 * 2xx, and where the page shows a sample answer, the real one must have the same shape: the same
 * fields, arrays of the same length, values of the same JSON types.
 */
class ServerApiDocsIT {

    static final String DOC_KEY = "change-me-to-a-long-random-key";

    record Example(String command, String sample) {
    }

    static List<Example> examples(String markdown) {
        List<Example> out = new ArrayList<>();
        String[] blocks = markdown.split("```");
        // Odd indexes are code blocks, starting with their language tag.
        for (int i = 1; i < blocks.length; i += 2) {
            String block = blocks[i];
            if (!block.startsWith("sh\n") || !block.substring(3).stripLeading().startsWith("curl ")) {
                continue;
            }
            String sample = null;
            if (i + 2 < blocks.length && blocks[i + 1].isBlank() && blocks[i + 2].startsWith("json\n")) {
                sample = blocks[i + 2].substring(5).strip();
            }
            out.add(new Example(block.substring(3).strip(), sample));
        }
        return out;
    }

    @Test
    void everyCurlExampleWorksAsWritten() throws Exception {
        Tools.path("curl");
        Path doc = Path.of("..", "docs", "api.md");
        List<Example> examples = examples(Files.readString(doc));
        assertThat(examples).as("curl examples in " + doc).hasSizeGreaterThanOrEqualTo(12);
        ObjectMapper json = new ObjectMapper();
        try (TestServer node = TestServer.start(TestServer.config().apiKeys(List.of(DOC_KEY)));
             WsClient alice = node.client("alice")) {
            alice.subscribe("chat:lobby");
            for (Example e : examples) {
                String command = e.command().replace("http://127.0.0.1:8080", "http://127.0.0.1:" + node.port());
                String script = "curl() { command curl -w '\\n__STATUS__%{http_code}' \"$@\"; }\n" + command + "\n";
                Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(command).isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                boolean streaming = command.contains("--max-time");
                // curl exits 28 when --max-time ends a stream, as the stream example intends.
                assertThat(p.exitValue()).as(command + "\n" + out).isIn(streaming ? List.of(0, 28) : List.of(0));
                int at = out.lastIndexOf("\n__STATUS__");
                assertThat(at).as(out).isNotNegative();
                int status = Integer.parseInt(out.substring(at + 11).strip());
                String body = out.substring(0, at);
                assertThat(status).as(command + "\n" + body).isBetween(200, 299);
                if (streaming) {
                    assertThat(body).startsWith("data: {");
                }
                if (e.sample() != null) {
                    JsonNode real = json.readTree(body);
                    JsonNode sample = json.readTree(e.sample());
                    String problem = shapeProblem("$", sample, real);
                    assertThat(problem).as(command + "\nanswered " + body + "\ndocumented " + e.sample()).isNull();
                }
            }
            // The examples ended alice's subscription (unsubscribe) and kept her connected.
            assertThat(alice.awaitType(io.switchboard.protocol.MessageType.UNSUBSCRIBED).code()).isEqualTo("removed");
        }
    }

    /** Null when {@code real} has the shape of {@code sample}; otherwise where they differ. */
    static String shapeProblem(String path, JsonNode sample, JsonNode real) {
        if (sample.getNodeType() != real.getNodeType()) {
            return path + ": documented " + sample.getNodeType() + ", got " + real.getNodeType();
        }
        if (sample.isObject()) {
            List<String> want = new ArrayList<>();
            sample.fieldNames().forEachRemaining(want::add);
            List<String> got = new ArrayList<>();
            real.fieldNames().forEachRemaining(got::add);
            if (!new java.util.TreeSet<>(want).equals(new java.util.TreeSet<>(got))) {
                return path + ": documented fields " + want + ", got " + got;
            }
            for (Iterator<String> it = sample.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                String p = shapeProblem(path + "." + f, sample.get(f), real.get(f));
                if (p != null) {
                    return p;
                }
            }
        } else if (sample.isArray()) {
            if (sample.size() != real.size()) {
                return path + ": documented " + sample.size() + " elements, got " + real.size();
            }
            for (int i = 0; i < sample.size(); i++) {
                String p = shapeProblem(path + "[" + i + "]", sample.get(i), real.get(i));
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }
}
