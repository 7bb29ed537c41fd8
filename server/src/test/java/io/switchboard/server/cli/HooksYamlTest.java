package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.server.config.HooksConfig;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code hooks:} section: what a good one gives, and the one-line complaint about a bad one. */
class HooksYamlTest {

    @Test
    void aSectionGivesItsHooksAndTheRestKeepTheirDefaults() throws Exception {
        HooksConfig c = HooksYaml.parse(WebhooksYamlTest.yaml("""
                connect:
                  url: http://127.0.0.1:9000/connect
                  timeout: 2s
                  headers: [Authorization, x-request-id]
                  cookies: [session]
                publish:
                  url: https://backend.example/publish
                  namespaces: [chat]
                  on-failure: allow
                max-answer-bytes: 4096
                """));
        assertThat(c.any()).isTrue();
        HooksConfig.Hook connect = c.hook("connect");
        assertThat(connect.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(connect.headers()).isEqualTo(Set.of("authorization", "x-request-id"));
        assertThat(connect.cookies()).isEqualTo(Set.of("session"));
        assertThat(connect.onFailure()).isEqualTo(HooksConfig.OnFailure.REFUSE);
        HooksConfig.Hook publish = c.hook("publish");
        assertThat(publish.timeout()).isEqualTo(HooksYaml.DEFAULT_TIMEOUT);
        assertThat(publish.covers("chat")).isTrue();
        assertThat(publish.covers("")).isFalse();
        assertThat(publish.onFailure()).isEqualTo(HooksConfig.OnFailure.ALLOW);
        assertThat(c.hook("subscribe")).isNull();
        assertThat(c.maxAnswerBytes()).isEqualTo(4096);
        assertThat(HooksYaml.parse(null).any()).isFalse();
    }

    @Test
    void badSectionsAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("conect: {url: http://h/}\n")))
                .hasMessageContaining("unknown option 'conect' in hooks");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("connect: {url: http://h/, retries: 3}\n")))
                .hasMessageContaining("unknown option 'retries' in hooks.connect");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("rpc: {url: ftp://h/}\n")))
                .hasMessageContaining("url must start with http:// or https://");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("rpc: {url: http://h/, on-failure: allow}\n")))
                .hasMessageContaining("on-failure: allow has no meaning for rpc");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("connect: {url: http://h/, namespaces: [chat]}\n")))
                .hasMessageContaining("namespaces apply to the subscribe and publish hooks only");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("connect: {url: http://h/, headers: [cookie]}\n")))
                .hasMessageContaining("cannot pass on the header 'cookie'");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("connect: {url: http://h/, on-failure: maybe}\n")))
                .hasMessageContaining("on-failure must be refuse or allow");
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("connect: {url: http://h/, timeout: soon}\n")))
                .isInstanceOf(ConfigSources.ConfigException.class);
        assertThatThrownBy(() -> HooksYaml.parse(WebhooksYamlTest.yaml("max-answer-bytes: 2\n")))
                .hasMessageContaining("must be at least 64");
    }
}
