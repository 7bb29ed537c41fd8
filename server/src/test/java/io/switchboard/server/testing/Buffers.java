package io.switchboard.server.testing;

import io.netty.buffer.ByteBuf;

/** Buffer checks for tests that must not depend on Netty's leak detector, which wraps a sampled allocation. */
public final class Buffers {

    private Buffers() {
    }

    /**
     * The buffer that owns {@code b}'s memory and reference count: {@code b} unwrapped until nothing is under it
     * (a view's parent, and under a buffer the leak detector sampled, its wrapper's buffer). One {@code unwrap()}
     * gives the parent or the wrapped view depending on whether the allocation was sampled.
     */
    public static ByteBuf root(ByteBuf b) {
        ByteBuf under = b.unwrap();
        while (under != null) {
            b = under;
            under = b.unwrap();
        }
        return b;
    }
}
