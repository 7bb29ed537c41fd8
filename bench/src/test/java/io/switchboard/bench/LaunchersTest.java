package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a report says about the JDK the node runs on: the one ./switchboard picks, not the harness's own. */
class LaunchersTest {

    @Test
    void theNodesJdkIsReadFromTheReleaseFileOfTheJavaTheLauncherRuns() throws Exception {
        String java = Launchers.switchboardJava();
        // a vendor, a version, and the JDK's directory
        assertThat(java).matches("\\S.* \\d+[.+\\-\\w]* \\(/.+\\)");
        String home = System.getenv("JAVA_HOME");
        if (home != null && !home.isEmpty()) {
            assertThat(java).endsWith("(" + Path.of(home).toRealPath() + ")");
        }
    }
}
