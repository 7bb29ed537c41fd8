package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Utf8Check} agrees with the JDK's strict UTF-8 decoder, whole or split anywhere. */
class Utf8CheckTest {

    private static boolean jdkSaysUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean whole(byte[] b) {
        return Utf8Check.scan(Utf8Check.COMPLETE, Unpooled.wrappedBuffer(b)) == Utf8Check.COMPLETE;
    }

    private static boolean split(byte[] b, int at) {
        int state = Utf8Check.scan(Utf8Check.COMPLETE, Unpooled.wrappedBuffer(b, 0, at));
        return Utf8Check.scan(state, Unpooled.wrappedBuffer(b, at, b.length - at)) == Utf8Check.COMPLETE;
    }

    @Test
    void everySequenceOfUpToThreeBytesAfterAsciiIsJudgedAsTheJdkJudgesIt() {
        int checked = 0;
        int valid = 0;
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : new int[] {-1, 0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xFF}) {
                    byte[] bytes = c < 0 ? new byte[] {'x', (byte) a, (byte) b} : new byte[] {'x', (byte) a, (byte) b, (byte) c};
                    boolean expected = jdkSaysUtf8(bytes);
                    assertThat(whole(bytes)).as("%02x %02x %02x", a, b, c).isEqualTo(expected);
                    for (int at = 0; at <= bytes.length; at++) {
                        assertThat(split(bytes, at)).as("%02x %02x %02x split at %d", a, b, c, at).isEqualTo(expected);
                    }
                    checked++;
                    valid += expected ? 1 : 0;
                }
            }
        }
        assertThat(valid).isPositive().isLessThan(checked);
    }

    @Test
    void fourByteFormsAndRandomTextAgreeWithTheJdk() {
        for (int a = 0xF0; a <= 0xF8; a++) {
            for (int b = 0x70; b <= 0xC0; b++) {
                byte[] bytes = {(byte) a, (byte) b, (byte) 0x80, (byte) 0xBF};
                assertThat(whole(bytes)).as("%02x %02x 80 bf", a, b).isEqualTo(jdkSaysUtf8(bytes));
            }
        }
        Random random = new Random(7);
        String sample = "a\u00e9\u4e2d\ud83d\ude00z κόσμε \u07ff\u0800\uffff\udbff\udfff";
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = sample.getBytes(StandardCharsets.UTF_8);
            if (i % 2 == 1) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256); // usually breaks it, not always
            }
            boolean expected = jdkSaysUtf8(bytes);
            assertThat(whole(bytes)).isEqualTo(expected);
            assertThat(split(bytes, random.nextInt(bytes.length + 1))).isEqualTo(expected);
        }
        assertThat(whole(sample.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void aBrokenStateStaysBroken() {
        int state = Utf8Check.scan(Utf8Check.COMPLETE, Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF}));
        assertThat(state).isEqualTo(Utf8Check.BROKEN);
        assertThat(Utf8Check.scan(state, Unpooled.wrappedBuffer("ok".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(Utf8Check.BROKEN);
    }
}
