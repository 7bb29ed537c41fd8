package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The browser client's unit tests (src/test/js, on Node's built-in test runner), run by the unit-test phase. */
class BrowserClientJsTest {

    @Test
    void nodeTestPassesEveryTestOfTheBrowserClient() throws Exception {
        Process p = new ProcessBuilder(Tools.path("node"), "--test", "--test-reporter=spec", "src/test/js/")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("node --test finished").isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as("node --test src/test/js/:\n%s", out).isZero();
        assertThat(out).as("node --test ran tests").containsPattern("(?m)^\\S*\\s*pass [1-9]");
    }
}
