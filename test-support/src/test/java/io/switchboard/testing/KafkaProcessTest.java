package io.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaProcessTest {

    @Test
    void aClusterIdIsSixteenRandomBytesAndNeverLooksLikeAnOption() {
        // One in 64 URL-safe Base64 ids starts with '-', which the storage tool took for an option
        // ("argument --cluster-id/-t: expected one argument"); 4,000 draws meet that case about 60 times.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4000; i++) {
            String id = KafkaProcess.clusterId();
            assertThat(id).doesNotStartWith("-").hasSize(22);
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
            seen.add(id);
        }
        assertThat(seen).hasSize(4000);
    }
}
