package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a generator's connections come from: a fresh block of loopback addresses, the warm-up's apart. */
class GeneratorTest {

    @Test
    void measuredConnectionsUseTheFirstBlockTwoThousandPerAddress() {
        assertThat(Generator.sourceAddress(0, 0).getHostString()).isEqualTo("127.0.0.2");
        assertThat(Generator.sourceAddress(1999, 0).getHostString()).isEqualTo("127.0.0.2");
        assertThat(Generator.sourceAddress(2000, 8).getHostString()).isEqualTo("127.0.0.11");
        assertThat(Generator.sourceAddress(0, 0).getPort()).isZero();
    }

    @Test
    void eachWarmUpRoundHasABlockOfItsOwn() {
        assertThat(Generator.sourceAddress(0, 4, 1).getHostString()).isEqualTo("127.0.1.6");
        assertThat(Generator.sourceAddress(4999, 4, 16).getHostString()).isEqualTo("127.0.16.8");
        // the address wraps within a block, never into the next one
        assertThat(Generator.sourceAddress(2000 * 300, 0, 2).getHostString()).isEqualTo("127.0.2.52");
    }
}
