package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The namespaces a node knows: lookups by channel, and a listing that is the same on every run. */
class NamespacesTest {

    @Test
    void theListingIsInNameOrderWhateverTheOrderTheyWereGiven() {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("zeta"))
                .put(NamespaceConfig.plain("alpha"))
                .build()
                .plus(List.of(NamespaceConfig.plain("mid")));
        assertThat(ns.all()).extracting(NamespaceConfig::name).containsExactly("", "alpha", "chat", "mid", "zeta");
    }

    @Test
    void aChannelFindsItsNamespaceAndAnUnknownOneFindsNone() {
        Namespaces ns = Namespaces.builder().put(NamespaceConfig.plain("room")).build();
        assertThat(ns.forChannel("room:1").name()).isEqualTo("room");
        assertThat(ns.forChannel("lobby").name()).isEmpty();
        assertThat(ns.forChannel("nowhere:1")).isNull();
    }
}
