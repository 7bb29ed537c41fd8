package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A member's {@code user_info} read that the channel's Pusher subscribers shared while it was in flight
 * (sharing itself: {@code PusherFramesTest}) fails all of them when it fails, and is not kept either.
 */
class PusherTranscoderTest {

    @Test
    void aFailedReadFailsEveryoneWhoSharedIt() {
        PusherTranscoder t = new PusherTranscoder();
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        CompletableFuture<byte[]> first = t.memberInfo("pusher.1:presence-a", "u1", () -> read);
        CompletableFuture<byte[]> second = t.memberInfo("pusher.1:presence-a", "u1", () -> read);
        read.completeExceptionally(new IllegalStateException("presence unavailable"));
        assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class).hasMessageContaining("presence unavailable");
        assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class);
        AtomicInteger reads = new AtomicInteger();
        t.memberInfo("pusher.1:presence-a", "u1", () -> {
            reads.incrementAndGet();
            return new CompletableFuture<>();
        });
        assertThat(reads).as("a failed read is not kept either").hasValue(1);
    }
}
