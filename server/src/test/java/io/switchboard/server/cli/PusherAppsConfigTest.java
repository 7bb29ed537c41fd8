package io.switchboard.server.cli;

import static io.switchboard.server.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.server.config.Access;
import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pusher apps from --pusher-app, SWITCHBOARD_PUSHER_APP and pusher: apps: in YAML, and their namespaces. */
class PusherAppsConfigTest {

    @TempDir
    Path dir;

    @Test
    void eachAppGetsAClosedNamespaceOfItsOwn() {
        ServerConfig c = new ServerConfig().pusherApps(List.of(PusherApp.parse("1001:key-a:secret-a-0123456789:with-colon")));
        assertThat(c.pusherApps().get(0).secret()).isEqualTo("secret-a-0123456789:with-colon");
        NamespaceConfig ns = c.namespaces().get("pusher.1001");
        assertThat(ns.presence()).isTrue();
        assertThat(ns.subscribe()).isEqualTo(Access.NONE);
        assertThat(ns.publish()).isEqualTo(Access.NONE);
        // Setting namespaces afterwards keeps the app's; --print-config shows only the configured ones.
        ServerConfig later = c.namespaces(Namespaces.defaults());
        assertThat(later.namespaces().get("pusher.1001")).isNotNull();
        assertThat(later.configuredNamespaces().get("pusher.1001")).isNull();
    }

    @Test
    void badAppsAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> PusherApp.parse("1001:key")).isInstanceOf(InvalidConfigException.class).hasMessageContaining("ID:KEY:SECRET");
        assertThatThrownBy(() -> PusherApp.parse("1001:key:short")).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> PusherApp.parse("10.01:key:secret-a-0123456789")).hasMessageContaining("id must be");
        assertThatThrownBy(() -> new ServerConfig().pusherApps(List.of(PusherApp.parse("1:k:secret-a-0123456789"),
                PusherApp.parse("1:k2:secret-a-0123456789")))).hasMessageContaining("given twice");
        assertThatThrownBy(() -> new ServerConfig().namespaces(Namespaces.builder().put(NamespaceConfig.plain("pusher.x")).build()))
                .hasMessageContaining("reserved for Pusher apps");
    }

    @Test
    void appsComeFromTheFlagTheEnvironmentAndYaml() throws Exception {
        Path yaml = dir.resolve("p.yaml");
        Files.writeString(yaml, "pusher:\n  apps:\n    - id: \"2002\"\n      key: key-y\n      secret: secret-y-0123456789\n      client-events: false\n");
        CliRun ok = run(Map.of("SWITCHBOARD_PUSHER_APP", "1001:key-e:secret-e-0123456789"), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("pusher-app:").contains("env SWITCHBOARD_PUSHER_APP").doesNotContain("secret-e-0123456789");
        CliRun dup = run(Map.of(), "serve", "--config", yaml.toString(), "--pusher-app", "2002:key-z:secret-z-0123456789", "--print-config");
        assertThat(dup.exit()).isEqualTo(2);
        assertThat(dup.err()).contains("app id 2002 is given twice");
        Files.writeString(yaml, "pusher:\n  apps:\n    - id: \"1\"\n      key: k\n      secret: secret-y-0123456789\n"
                + "      webhooks: [ { url: \"http://127.0.0.1:9/hook\", events: [channel_occupied, presence_join] } ]\n");
        CliRun hooks = run(Map.of(), "serve", "--config", yaml.toString(), "--print-config");
        assertThat(hooks.exit()).isEqualTo(2);
        assertThat(hooks.err()).contains("unknown event 'presence_join'").contains("member_added");
    }

    @Test
    void webhooksOfAnAppAreReadFromYaml() {
        com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of("apps",
                List.of(Map.of("id", "1", "key", "k", "secret", "secret-y-0123456789", "webhooks",
                        List.of(Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("member_added", "cache_miss")))))));
        PusherApp app = PusherYaml.parse(node).get(0);
        assertThat(app.webhooks()).containsExactly(new PusherApp.Webhook("http://127.0.0.1:9/hook", java.util.Set.of("member_added", "cache_miss")));
        assertThatThrownBy(() -> new PusherApp.Webhook("ftp://x", java.util.Set.of("member_added"))).hasMessageContaining("http://");
    }
}
