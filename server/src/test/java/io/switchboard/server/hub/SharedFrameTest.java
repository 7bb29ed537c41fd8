package io.switchboard.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The fan-out's shared variant: computed once, matched by bytes, gone after the fan-out. */
class SharedFrameTest {

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void oneVariantPerFanOutMatchedByItsBytes() {
        AtomicInteger derived = new AtomicInteger();
        Function<ByteBuf, ByteBuf> upper = b -> {
            derived.incrementAndGet();
            return text(b.toString(StandardCharsets.UTF_8).toUpperCase());
        };
        ByteBuf frame = text("{\"type\":\"message\"}");
        SharedFrame scope = SharedFrame.open(frame);
        ByteBuf first = SharedFrame.variant(frame.retainedDuplicate(), upper);
        // Another buffer with the same bytes (a wrapper, a copy) gets the same variant, not a second one.
        ByteBuf second = SharedFrame.variant(text("{\"type\":\"message\"}"), upper);
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("{\"TYPE\":\"MESSAGE\"}");
        assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo("{\"TYPE\":\"MESSAGE\"}");
        assertThat(derived).hasValue(1);
        assertThat(SharedFrame.sharing(text("{\"type\":\"message\"}"))).isTrue();
        assertThat(SharedFrame.sharing(text("{\"type\":\"massage\"}"))).isFalse();
        assertThat(SharedFrame.variant(text("{\"type\":\"massage\"}"), upper)).as("other bytes").isNull();
        first.release();
        second.release();
        scope.close();
        assertThat(SharedFrame.sharing(frame)).as("after the fan-out").isFalse();
        assertThat(SharedFrame.variant(frame, upper)).isNull();
        assertThat(derived).hasValue(1);
        frame.release();
    }

    @Test
    void eachWireFormatsFrameHasItsOwnVariant() {
        ByteBuf json = text("json frame");
        ByteBuf proto = text("proto frame");
        AtomicInteger derived = new AtomicInteger();
        Function<ByteBuf, ByteBuf> tag = b -> {
            derived.incrementAndGet();
            return text("z:" + b.toString(StandardCharsets.UTF_8));
        };
        SharedFrame scope = SharedFrame.open();
        scope.use(json);
        ByteBuf a = SharedFrame.variant(json.retainedDuplicate(), tag);
        scope.use(proto);
        assertThat(SharedFrame.variant(json.retainedDuplicate(), tag)).as("not the frame in use").isNull();
        ByteBuf b = SharedFrame.variant(proto.retainedDuplicate(), tag);
        scope.use(json);
        ByteBuf c = SharedFrame.variant(json.retainedDuplicate(), tag);
        assertThat(a.toString(StandardCharsets.UTF_8)).isEqualTo("z:json frame");
        assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("z:proto frame");
        assertThat(c.toString(StandardCharsets.UTF_8)).isEqualTo("z:json frame");
        assertThat(derived).hasValue(2);
        a.release();
        b.release();
        c.release();
        scope.close();
        json.release();
        proto.release();
    }

    @Test
    void nestedFanOutsEachHaveTheirOwnAndTheVariantIsReleasedAtTheEnd() {
        ByteBuf outer = text("outer");
        ByteBuf inner = text("inner");
        ByteBuf[] made = new ByteBuf[1];
        SharedFrame a = SharedFrame.open(outer);
        SharedFrame b = SharedFrame.open(inner);
        ByteBuf v = SharedFrame.variant(inner, x -> made[0] = text("v"));
        assertThat(SharedFrame.sharing(outer)).isFalse();
        b.close();
        assertThat(SharedFrame.sharing(outer)).isTrue();
        a.close();
        assertThat(made[0].refCnt()).as("the caller's duplicate still holds it").isEqualTo(1);
        v.release();
        assertThat(made[0].refCnt()).isZero();
        outer.release();
        inner.release();
    }
}
