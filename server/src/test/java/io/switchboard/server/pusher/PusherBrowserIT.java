package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.testing.TestServer;
import io.switchboard.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * pusher-js's browser build in headless Chromium ({@code src/test/pusher/browser.mjs}, through playwright-core)
 * against a real node: it connects, subscribes to a public and a private channel, and receives a trigger the
 * {@code pusher} SDK sends to both.
 */
class PusherBrowserIT {

    static final List<String> CHECKS = List.of("connected from Chromium", "subscribed to a public and a private channel",
            "received a trigger on both");

    @Test
    void pusherJsInHeadlessChromiumConnectsSubscribesAndReceives() throws Exception {
        Tools.path("chromium");
        PusherJsIT.installPackages();
        try (TestServer node = TestServer.start(PusherJsIT.config())) {
            Path log = Files.createTempFile("switchboard-pusher-browser", ".log");
            Process p = new ProcessBuilder(Tools.path("node"), "browser.mjs", Integer.toString(node.port()))
                    .directory(PusherJsIT.DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            Files.deleteIfExists(log);
            assertThat(finished).as("browser.mjs finished within 90 s:\n%s", out).isTrue();
            assertThat(p.exitValue()).as("browser.mjs failed:\n%s", out).isZero();
            for (String c : CHECKS) {
                assertThat(out).contains("check: " + c);
            }
            assertThat(out).contains("browser: ok");
        }
    }
}
