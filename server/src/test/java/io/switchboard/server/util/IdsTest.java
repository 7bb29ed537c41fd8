package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void randomIdsAreLettersAndDigitsOfTheLengthAsked() {
        assertThat(Ids.random(16)).hasSize(16).matches("[0-9a-zA-Z]+");
        assertThat(Ids.random(8)).hasSize(8).matches("[0-9a-zA-Z]+");
    }

    @Test
    void twoHalvesWriteOutAsSixteenLettersAndDigitsAndEveryCharacterIsDrawn() {
        Set<Character> seen = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            long high = Ids.randomHalf();
            long low = Ids.randomHalf();
            assertThat(high >>> 48).as("48 bits").isZero();
            String id = Ids.text(high, low);
            assertThat(id).hasSize(16).matches("[0-9a-zA-Z]+");
            assertThat(Ids.text(high, low)).as("the same text every time").isEqualTo(id);
            ids.add(id);
            for (char c : id.toCharArray()) {
                seen.add(c);
            }
        }
        assertThat(ids).as("no two alike").hasSize(5_000);
        assertThat(seen).as("all 62 characters turn up").hasSize(62);
    }

    @Test
    void theHighHalfComesFirstAndEachCharacterIsItsSixBits() {
        // indices 1..8 in the high half ("12345678"), 10, 11, ... 17 in the low ("abcdefgh")
        long high = 0;
        long low = 0;
        for (int i = 1; i <= 8; i++) {
            high = high << 6 | i;
            low = low << 6 | (9 + i);
        }
        assertThat(Ids.text(high, low)).isEqualTo("12345678abcdefgh");
        assertThat(Ids.text(61, 0)).isEqualTo("0000000Z00000000");
    }
}
