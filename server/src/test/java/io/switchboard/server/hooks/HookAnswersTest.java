package io.switchboard.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.node.ChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The backend's answers as documented, and random answers never failing in an undocumented way. */
class HookAnswersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Principal BOB = new Principal("bob", false, 1000, List.of("a"), null);

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aConnectAnswerNamesTheUserAndKeepsWhatItLeavesOut() throws Exception {
        Principal p = HookAnswers.principal(json("{\"user\":\"alice\",\"expiresAt\":5000,\"channels\":[\"chat:*\"],\"info\":{\"n\":1}}"),
                Principal.ANONYMOUS, false);
        assertThat(p.userId()).isEqualTo("alice");
        assertThat(p.expiresAtMillis()).isEqualTo(5000);
        assertThat(p.channels()).containsExactly("chat:*");
        assertThat(new String(p.info(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        Principal same = HookAnswers.principal(json("{}"), BOB, false);
        assertThat(same).isEqualTo(BOB);
        assertThatThrownBy(() -> HookAnswers.principal(json("{}"), Principal.ANONYMOUS, false))
                .isInstanceOf(AuthException.class).hasMessageContaining("named no user");
        assertThat(HookAnswers.principal(json("{\"user\":\"\"}"), BOB, true)).isEqualTo(Principal.ANONYMOUS);
        assertThatThrownBy(() -> HookAnswers.principal(json("{\"error\":{\"code\":\"limit_exceeded\"}}"), BOB, false))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.closeCode().code()).isEqualTo(4006));
        assertThatThrownBy(() -> HookAnswers.principal(json("{\"user\":5}"), BOB, false)).isInstanceOf(HookFailure.class);
        assertThatThrownBy(() -> HookAnswers.principal(json("{\"channels\":\"x\"}"), BOB, false)).isInstanceOf(HookFailure.class);
    }

    @Test
    void aRefusalCarriesItsCodeAndAClippedMessage() throws Exception {
        assertThatThrownBy(() -> HookAnswers.refusal(json("{\"error\":{\"code\":\"forbidden\",\"message\":\"" + "m".repeat(500) + "\"}}"),
                HookAnswers.SUBSCRIBE_CODES)).isInstanceOfSatisfying(ChannelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).hasSize(HookAnswers.MAX_MESSAGE);
                });
        assertThatThrownBy(() -> HookAnswers.refusal(json("{\"error\":{\"code\":\"internal\"}}"), HookAnswers.SUBSCRIBE_CODES))
                .isInstanceOf(HookFailure.class);
        HookAnswers.refusal(json("{\"error\":null}"), HookAnswers.RPC_CODES); // no refusal
    }

    @Test
    void randomAnswersOnlyEverAdmitRefuseOrFailAsDocumented() {
        Random rnd = new Random(15);
        String[] seeds = {"{\"user\":\"alice\",\"expiresAt\":5000,\"channels\":[\"c\"],\"info\":{\"n\":[1,2]}}",
                "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}", "{\"payload\":{\"text\":\"hi\"},\"result\":[1]}"};
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = seeds[rnd.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8);
            for (int m = rnd.nextInt(4); m >= 0; m--) {
                b[rnd.nextInt(b.length)] = (byte) "{}[]\":,0a-\\ tnul".charAt(rnd.nextInt(16));
            }
            JsonNode answer;
            try {
                answer = JSON.readTree(b);
            } catch (Exception notJson) {
                continue; // the transport refuses it before these readers see it
            }
            if (answer == null || !answer.isObject()) {
                continue;
            }
            try {
                HookAnswers.principal(answer, BOB, rnd.nextBoolean());
                HookAnswers.refusal(answer, HookAnswers.PUBLISH_CODES);
                admitted++;
            } catch (AuthException | ChannelException | HookFailure expected) {
                refused++;
            }
        }
        assertThat(admitted).as("the fuzzer reaches the admitting path").isGreaterThan(100);
        assertThat(refused).as("and the refusing ones").isGreaterThan(100);
    }
}
