package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.PusherApp;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Pusher front door against the real libraries: {@code src/test/pusher/suite.mjs} drives pusher-js and
 * the {@code pusher} server SDK against a real node (every check it prints is listed in {@link #CHECKS}), and
 * {@code echo.mjs} Laravel Echo over pusher-js ({@link #ECHO_CHECKS}).
 */
class PusherJsIT {

    static final Path DIR = Path.of("src/test/pusher").toAbsolutePath();
    static final List<PusherApp> APPS = List.of(PusherApp.of("1001", "key-a", "secret-a-0123456789"),
            PusherApp.of("1002", "key-b", "secret-b-0123456789"));
    static final List<String> CHECKS = List.of("connection_established", "public trigger reaches every subscriber",
            "apps do not share channels", "private channel: good auth subscribes, bad auth gets 401",
            "client event reaches the others, not the sender", "client event on a public channel refused",
            "socket_id excludes a connection", "presence: member list and member_added with user_info",
            "presence: member_added/member_removed per user, not per connection",
            "HTTP API: channels, channel info, users, trigger info, batch",
            "cache channels: cache_miss, then the last event on subscribe",
            "user sign-in: signin, sendToUser on both nodes, terminateUserConnections",
            "HTTP API: bad signature, stale timestamp and wrong body_md5 refused", "unknown app key: 4001");

    static final List<String> ECHO_CHECKS = List.of("echo: public channel listen", "echo: private channel with the auth endpoint",
            "echo: presence here and joining, whisper", "echo: presence leaving");

    static ServerConfig config() {
        return TestServer.config().pusherApps(APPS);
    }

    @Test
    void pusherJsAndTheServerSdkWorkAgainstOneNode() throws Exception {
        try (TestServer node = TestServer.start(config())) {
            runSuite(node.port(), node.port());
            runEcho(node.port(), node.port());
        }
    }

    /** Runs the suite with clients on {@code portA} and {@code portB}; asserts it passed every check. */
    static void runSuite(int portA, int portB) throws IOException, InterruptedException {
        run("suite.mjs", CHECKS, "suite: ok", portA, portB);
    }

    /** Runs {@code echo.mjs} (Laravel Echo over pusher-js) with clients on both ports; asserts every check passed. */
    static void runEcho(int portA, int portB) throws IOException, InterruptedException {
        run("echo.mjs", ECHO_CHECKS, "echo: ok", portA, portB);
    }

    private static void run(String script, List<String> checks, String done, int portA, int portB) throws IOException, InterruptedException {
        installPackages();
        Path log = Files.createTempFile("switchboard-pusher-suite", ".log");
        Process p = new ProcessBuilder(Tools.path("node"), script, Integer.toString(portA), Integer.toString(portB))
                .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(2, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        assertThat(finished).as("%s finished within 2 minutes:\n%s", script, out).isTrue();
        assertThat(p.exitValue()).as("%s failed:\n%s", script, out).isZero();
        for (String c : checks) {
            assertThat(out).as(script + " output").contains("check: " + c);
        }
        assertThat(out).contains(done);
    }

    /** {@code npm ci} in src/test/pusher once, when the packages are not installed there yet (a fresh clone). */
    static void installPackages() throws IOException, InterruptedException {
        Tools.npmCi(DIR, "pusher-js", "pusher", "laravel-echo", "playwright-core");
    }
}
