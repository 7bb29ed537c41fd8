package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.server.config.WebhookConfig;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code webhooks:} section: what a good one gives, and the one-line complaint about a bad one. */
class WebhooksYamlTest {

    static JsonNode yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }

    @Test
    void aSectionGivesItsEndpointsAndSettingsAndTheRestKeepTheirDefaults() throws Exception {
        WebhookConfig c = WebhooksYaml.parse(yaml("""
                endpoints:
                  - name: main
                    url: http://127.0.0.1:9000/hook
                    secret: 0123456789abcdef0123456789abcdef
                    events: [connect, disconnect]
                    namespaces: [chat]
                max-age: 2h
                retry-max: 30s
                """));
        assertThat(c.enabled()).isTrue();
        assertThat(c.endpoints()).hasSize(1);
        assertThat(c.endpoints().get(0).events()).isEqualTo(Set.of("connect", "disconnect"));
        assertThat(c.endpoints().get(0).wants("connect", null)).isTrue();
        assertThat(c.endpoints().get(0).wants("disconnect", "other")).isFalse();
        assertThat(c.maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(c.retryMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.retryMin()).isEqualTo(WebhookConfig.none().retryMin());
        assertThat(WebhooksYaml.parse(null).enabled()).isFalse();
    }

    @Test
    void badSectionsAreRefusedWithWhatIsWrong() {
        String endpoint = "endpoints:\n  - {name: main, url: http://h/, secret: 0123456789abcdef0123456789abcdef, events: [%s]}\n";
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml(endpoint.formatted("conect"))))
                .hasMessageContaining("unknown event 'conect'");
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml("retries: 3\n"))).hasMessageContaining("unknown option 'retries' in webhooks");
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml("endpoints:\n  - {name: a, url: ftp://h/, secret: x, events: [connect]}\n")))
                .hasMessageContaining("url must start with http:// or https://");
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml("endpoints:\n  - {name: a, url: http://h/, secret: short, events: [connect]}\n")))
                .hasMessageContaining("secret must be at least 32 bytes");
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml(endpoint.formatted("connect") + "max-age: soon\n")))
                .isInstanceOf(ConfigSources.ConfigException.class);
        assertThatThrownBy(() -> WebhooksYaml.parse(yaml(endpoint.formatted("connect") + endpoint.formatted("connect").substring(10))))
                .hasMessageContaining("given twice");
    }
}
